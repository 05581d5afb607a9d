package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.SenseData;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SANITIZE through iSCSI (SBC-4 5.30) on a 16 MiB RAM LU: OVERWRITE and BLOCK ERASE read back as
 * the standard says, what the target reports about them (REPORT SUPPORTED OPERATION CODES, VPD
 * B1h, GET LBA STATUS), and an operation in progress seen by another session across a LUN reset.
 */
@Timeout(60)
class SanitizeE2eTest {
    static final int LUN = 0;
    static final int BS = 512;
    static final long BLOCKS = 16 * E2eServer.MIB / BS;

    @TempDir
    java.nio.file.Path dir;
    E2eServer server;
    GatedStore gate;

    void start(boolean gated) throws Exception {
        E2eServer.Builder b = E2eServer.builder(dir).ram("ram0", 16 * E2eServer.MIB, BS)
                .target(E2eServer.TARGET, List.of(E2eServer.EPHEMERAL), List.of(E2eServer.rw(LUN, "ram0")));
        if (gated) {
            b.wrap((name, store) -> gate = new GatedStore(store));
        }
        server = b.start();
    }

    @AfterEach
    void stop() {
        if (gate != null) {
            gate.open();
        }
        if (server != null) {
            server.close();
        }
    }

    IscsiSession open(String who) throws Exception {
        IscsiSession s = Scsi.open(server.url(LUN), Scsi.options("iqn.2026-11.io.xtarget:sanitize-" + who)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(20)));
        Scsi.clearUnitAttentions(s, LUN);
        return s;
    }

    static byte[] sanitize(int byte1, int length) {
        return new byte[] {0x48, (byte) byte1, 0, 0, 0, 0, 0, (byte) (length >>> 8), (byte) length, 0};
    }

    static ByteBuffer overwriteList(int pattern) {
        ByteBuffer l = ByteBuffer.allocate(4 + 4);
        l.put(0, (byte) 1).putShort(2, (short) 4); // one pass, a 4-byte pattern
        l.putInt(4, pattern);
        return l;
    }

    static String sense(CommandResult r) {
        SenseData d = Scsi.sense(r);
        return String.format("%X/%02X/%02X", d.senseKey(), d.asc(), d.ascq());
    }

    @Test
    void overwriteAndBlockEraseReadBack() throws Exception {
        start(false);
        try (IscsiSession s = open("a")) {
            byte[] data = Scsi.random(64 * BS, 9);
            Scsi.write(s, LUN, 0, data, BS);
            Scsi.write(s, LUN, BLOCKS - 64, data, BS);

            Scsi.good(s, LUN, sanitize(0x01, 8), overwriteList(0xDEADBEEF), 0);
            byte[] expected = new byte[64 * BS];
            for (int i = 0; i < expected.length; i += 4) {
                ByteBuffer.wrap(expected, i, 4).putInt(0xDEADBEEF);
            }
            assertThat(Scsi.read(s, LUN, 0, 64 * BS, BS)).isEqualTo(expected);
            assertThat(Scsi.read(s, LUN, BLOCKS - 64, 64 * BS, BS)).isEqualTo(expected);

            Scsi.good(s, LUN, sanitize(0x02, 0), null, 0);
            assertThat(Scsi.read(s, LUN, 0, 64 * BS, BS)).containsOnly(0);
            assertThat(Scsi.read(s, LUN, BLOCKS - 64, 64 * BS, BS)).containsOnly(0);

            // GET LBA STATUS: one descriptor, the whole LU deallocated
            byte[] lbaStatus = {(byte) 0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
            ByteBuffer st = ByteBuffer.wrap(Scsi.good(s, LUN, lbaStatus, null, 256));
            assertThat(st.getInt(0)).isEqualTo(20);
            assertThat(st.getLong(8)).isZero();
            assertThat(st.getInt(16)).isEqualTo((int) BLOCKS);
            assertThat(st.get(20) & 0x0F).as("deallocated").isEqualTo(1);
        }
    }

    @Test
    void theTargetReportsWhatItSupports() throws Exception {
        start(false);
        try (IscsiSession s = open("a")) {
            assertThat(supported(s, 0x48, 0x01)).as("OVERWRITE").isEqualTo(3);
            assertThat(supported(s, 0x48, 0x02)).as("BLOCK ERASE").isEqualTo(3);
            assertThat(supported(s, 0x48, 0x1F)).as("EXIT FAILURE MODE").isEqualTo(3);
            assertThat(supported(s, 0x48, 0x03)).as("CRYPTOGRAPHIC ERASE").isEqualTo(1);
            assertThat(sense(Scsi.run(s, LUN, sanitize(0x03, 0), null, 0))).isEqualTo("5/24/00");
            byte[] b1 = Scsi.good(s, LUN, Scsi.vpd(0xB1, 64), null, 64);
            assertThat(b1[7] & 0xF0).as("WABEREQ 01b, WACEREQ 00b").isEqualTo(0x40);
            byte[] rdd = {0x37, 0, 0x1D, 0, 0, 0, 0, 0, 4, 0};
            assertThat(Scsi.good(s, LUN, rdd, null, 4)).containsExactly(0, 0x1D, 0, 0);
        }
    }

    /** The SUPPORT field of REPORT SUPPORTED OPERATION CODES for one opcode and service action. */
    static int supported(IscsiSession s, int opcode, int sa) throws Exception {
        byte[] cdb = {(byte) 0xA3, 0x0C, 0x02, (byte) opcode, 0, (byte) sa, 0, 0, 0, 64, 0, 0};
        return Scsi.good(s, LUN, cdb, null, 64)[1] & 0x07;
    }

    @Test
    void anOperationInProgressOutlivesALunResetAndIsSeenByEverySession() throws Exception {
        start(true);
        try (IscsiSession a = open("a"); IscsiSession b = open("b")) {
            gate.shut();
            Scsi.good(a, LUN, sanitize(0x80 | 0x01, 8), overwriteList(0x01020304), 0); // IMMED
            assertThat(gate.awaitFirstWrite(10)).isTrue();
            assertThat(sense(b.execute(LUN, Scsi.testUnitReady(), null, 0))).isEqualTo("2/04/1B");
            assertThat(sense(b.execute(LUN, Scsi.read10(0, 1), null, BS))).isEqualTo("2/04/1B");
            assertThat(b.execute(LUN, Scsi.inquiry(36), null, 36).status()).isZero();
            byte[] requestSense = Scsi.good(b, LUN, new byte[] {0x03, 0, 0, 0, 18, 0}, null, 18);
            assertThat(requestSense[12]).isEqualTo((byte) 0x04);
            assertThat(requestSense[13]).isEqualTo((byte) 0x1B);
            assertThat(requestSense[15] & 0x80).as("SKSV: progress indication").isEqualTo(0x80);

            assertThat(b.lunReset(LUN)).isEqualTo(TaskMgmtResponse.COMPLETE);
            assertThat(sense(a.execute(LUN, Scsi.testUnitReady(), null, 0))).isEqualTo("6/29/03");
            assertThat(sense(a.execute(LUN, Scsi.testUnitReady(), null, 0))).as("still running")
                    .isEqualTo("2/04/1B");

            gate.open();
            CommandResult r = null;
            for (int i = 0; i < 200; i++) {
                r = Scsi.run(a, LUN, Scsi.testUnitReady(), null, 0);
                if (r.status() == CommandResult.GOOD) {
                    break;
                }
                Thread.sleep(25);
            }
            assertThat(r.status()).as("%s", r).isZero();
            byte[] expected = new byte[4 * BS];
            for (int i = 0; i < expected.length; i += 4) {
                ByteBuffer.wrap(expected, i, 4).putInt(0x01020304);
            }
            assertThat(Scsi.read(a, LUN, BLOCKS - 4, 4 * BS, BS)).isEqualTo(expected);
            assertThat(Arrays.equals(Scsi.read(b, LUN, 0, 4 * BS, BS), expected)).isTrue();
        }
    }
}
