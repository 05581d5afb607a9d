package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.ro;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.config.AclConfig;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.SenseData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the end-to-end tests of a read-only host: one target whose ACL maps the same LUs to a
 * read-write host ({@link #WRITER}) and, read-only, to another host ({@link #READER}). What the
 * reader may not do is change state the writer shares (SPC-4 5.12 reservations, SPC-4 7.5 mode
 * pages, SBC-3 5.25 the medium): each such command gets DATA PROTECT / WRITE PROTECTED (27h/00h),
 * nothing changes, and the writer keeps writing. A fresh server per test, so reservations, mode
 * pages and the medium start from their defaults.
 *
 * <p>LUNs, the same for both hosts: {@link #DISK} ram0 (read-only for the reader), {@link #CD}
 * rm0, a removable medium (read-only for the reader), {@link #SOURCE} src0 (read-write for both,
 * a copy source). The writer also has {@link #WRITERS_ONLY} (LUN 3), which the reader cannot reach.
 */
abstract class ReadOnlyHostE2e {
    static final String WRITER = "iqn.2026-11.io.example:writer";
    static final String READER = "iqn.2026-11.io.example:reader";
    static final int DISK = 0;
    static final int CD = 1;
    static final int SOURCE = 2;
    static final int WRITERS_ONLY = 3;
    static final int BLOCK = 512;

    @TempDir
    Path dir;
    E2eServer server;
    IscsiSession writer;
    IscsiSession reader;

    @BeforeEach
    void start() throws Exception {
        server = E2eServer.builder(dir).ram("ram0", 16 * MIB, BLOCK).removableRam("rm0", 8 * MIB, BLOCK)
                .ram("src0", 8 * MIB, BLOCK).ram("mine", 8 * MIB, BLOCK)
                .target(E2eServer.TARGET, List.of(E2eServer.EPHEMERAL), List.of(), List.of(
                        new AclConfig(WRITER, List.of(rw(DISK, "ram0"), rw(CD, "rm0"), rw(SOURCE, "src0"),
                                rw(WRITERS_ONLY, "mine"))),
                        new AclConfig(READER, List.of(ro(DISK, "ram0"), ro(CD, "rm0"), rw(SOURCE, "src0")))))
                .start();
        writer = IscsiSession.open(server.host(), server.port(), E2eServer.TARGET, Scsi.options(WRITER));
        reader = IscsiSession.open(server.host(), server.port(), E2eServer.TARGET, Scsi.options(READER));
        for (int lun : new int[] {DISK, CD, SOURCE}) {
            Scsi.clearUnitAttentions(writer, lun);
            Scsi.clearUnitAttentions(reader, lun);
        }
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {reader, writer, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the next test has a server of its own
            }
        }
    }

    /** CHECK CONDITION, DATA PROTECT / WRITE PROTECTED (27h/00h). */
    static SenseData assertWriteProtected(CommandResult r) {
        SenseData s = Scsi.sense(r);
        assertThat(s.senseKey()).as("DATA PROTECT: %s", r).isEqualTo(0x07);
        assertThat(s.asc()).as("%s", r).isEqualTo(0x27);
        assertThat(s.ascq()).as("WRITE PROTECTED: %s", r).isZero();
        return s;
    }

    /** The writer writes fresh data to {@code lun} and reads it back: nothing locks it out. */
    void assertWriterStillWrites(int lun, long lba) throws IOException {
        byte[] data = Scsi.random(8 * BLOCK, lba * 31 + lun);
        CommandResult w = Scsi.run(writer, lun, Scsi.write10(lba, 8), ByteBuffer.wrap(data), 0);
        assertThat(w.status()).as("the writer's WRITE: %s", w).isEqualTo(CommandResult.GOOD);
        assertThat(Scsi.read(writer, lun, lba, data.length, BLOCK)).isEqualTo(data);
    }

    // ---------------------------------------------------------------- reservations (SPC-4 5.12)

    static CommandResult prOut(IscsiSession s, int serviceAction, int type, long key, long serviceActionKey)
            throws IOException {
        return Scsi.run(s, DISK, Scsi.persistentReserveOut(serviceAction, type),
                Scsi.prParameters(key, serviceActionKey), 0);
    }

    static void prOutGood(IscsiSession s, int serviceAction, int type, long key, long serviceActionKey)
            throws IOException {
        CommandResult r = prOut(s, serviceAction, type, key, serviceActionKey);
        assertThat(r.status()).as("PERSISTENT RESERVE OUT %d: %s", serviceAction, r).isEqualTo(CommandResult.GOOD);
    }

    static byte[] prIn(IscsiSession s, int serviceAction) throws IOException {
        byte[] c = {0x5E, (byte) serviceAction, 0, 0, 0, 0, 0, 1, 0, 0}; // ALLOCATION LENGTH 256
        return Scsi.good(s, DISK, c, null, 256);
    }

    /** PERSISTENT RESERVE IN READ KEYS: the registered keys, in order. */
    static List<Long> readKeys(IscsiSession s) throws IOException {
        ByteBuffer d = ByteBuffer.wrap(prIn(s, 0));
        List<Long> keys = new ArrayList<>();
        for (int p = 8; p < 8 + d.getInt(4); p += 8) {
            keys.add(d.getLong(p));
        }
        return keys;
    }

    /** PERSISTENT RESERVE IN READ RESERVATION: "none" or "KEY/TYPE" in hex. */
    static String readReservation(IscsiSession s) throws IOException {
        ByteBuffer d = ByteBuffer.wrap(prIn(s, 1));
        if (d.getInt(4) == 0) {
            return "none";
        }
        return Long.toHexString(d.getLong(8)) + "/" + Integer.toHexString(d.get(21) & 0x0F);
    }

    // ---------------------------------------------------------------- mode pages (SPC-4 7.5)

    /** One mode page's current values through MODE SENSE(10). */
    static byte[] modePage(IscsiSession s, int lun, int code) throws IOException {
        byte[] d = Scsi.good(s, lun, Scsi.modeSense10(code, 255), null, 255);
        int off = 8 + (((d[6] & 0xFF) << 8) | (d[7] & 0xFF));
        assertThat(d[off] & 0x3F).isEqualTo(code);
        return java.util.Arrays.copyOfRange(d, off, off + 2 + (d[off + 1] & 0xFF));
    }

    // ---------------------------------------------------------------- EXTENDED COPY (SPC-4 6.4)

    /**
     * EXTENDED COPY(LID1) parameter list: identification CSCD descriptors (E4h) for NAA
     * designators given as hex, one block to block segment (02h) from CSCD {@code src} to
     * {@code dst} (FFFFh: the LU receiving the command).
     */
    static byte[] copyList(int listId, List<String> naas, int src, int dst, int blocks, long srcLba, long dstLba) {
        ByteBuffer b = ByteBuffer.allocate(16 + 32 * naas.size() + 28);
        b.put(0, (byte) listId).putShort(2, (short) (32 * naas.size())).putInt(8, 28);
        for (int i = 0; i < naas.size(); i++) {
            int off = 16 + 32 * i;
            byte[] naa = HexFormat.of().parseHex(naas.get(i));
            b.put(off, (byte) 0xE4).put(off + 4, (byte) 0x01).put(off + 5, (byte) 0x03).put(off + 7, (byte) naa.length)
                    .put(off + 8, naa).put(off + 31, (byte) (BLOCK >>> 0)).put(off + 30, (byte) (BLOCK >>> 8));
        }
        int seg = 16 + 32 * naas.size();
        b.put(seg, (byte) 0x02).putShort(seg + 2, (short) 0x18).putShort(seg + 4, (short) src)
                .putShort(seg + 6, (short) dst).putShort(seg + 10, (short) blocks).putLong(seg + 12, srcLba)
                .putLong(seg + 20, dstLba);
        return b.array();
    }

    static CommandResult extendedCopy(IscsiSession s, int lun, byte[] list) throws IOException {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x83;
        ByteBuffer.wrap(cdb).putInt(10, list.length);
        return Scsi.run(s, lun, cdb, ByteBuffer.wrap(list), 0);
    }
}
