package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.IscsiUrl;
import io.xtarget.initiator.SenseData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** CDBs, result checks and small parsers the end-to-end tests share. */
public final class Scsi {
    public static final int UNIT_ATTENTION = 6;

    private Scsi() {}

    public static InitiatorOptions options(String initiatorName) {
        return InitiatorOptions.defaults().withInitiatorName(initiatorName);
    }

    public static IscsiSession open(String url, InitiatorOptions o) throws IOException {
        return IscsiSession.open(IscsiUrl.parse(url), o);
    }

    // ---------------------------------------------------------------- CDBs

    public static byte[] testUnitReady() {
        return new byte[6];
    }

    public static byte[] inquiry(int alloc) {
        return new byte[] {0x12, 0, 0, (byte) (alloc >> 8), (byte) alloc, 0};
    }

    public static byte[] vpd(int page, int alloc) {
        return new byte[] {0x12, 1, (byte) page, (byte) (alloc >> 8), (byte) alloc, 0};
    }

    public static byte[] readCapacity16() {
        byte[] c = new byte[16];
        c[0] = (byte) 0x9E;
        c[1] = 0x10;
        c[13] = 32;
        return c;
    }

    public static byte[] read10(long lba, int blocks) {
        return rw10(0x28, lba, blocks);
    }

    public static byte[] write10(long lba, int blocks) {
        return rw10(0x2A, lba, blocks);
    }

    private static byte[] rw10(int op, long lba, int blocks) {
        byte[] c = new byte[10];
        c[0] = (byte) op;
        ByteBuffer.wrap(c).putInt(2, (int) lba).putShort(7, (short) blocks);
        return c;
    }

    public static byte[] reportLuns(int alloc) {
        byte[] c = new byte[12];
        c[0] = (byte) 0xA0;
        ByteBuffer.wrap(c).putInt(6, alloc);
        return c;
    }

    /** REPORT TARGET PORT GROUPS (MAINTENANCE IN, service action 0Ah), length-only format. */
    public static byte[] reportTargetPortGroups(int alloc) {
        byte[] c = new byte[12];
        c[0] = (byte) 0xA3;
        c[1] = 0x0A;
        ByteBuffer.wrap(c).putInt(6, alloc);
        return c;
    }

    /** PERSISTENT RESERVE OUT (SPC-4 6.16) with the 24-byte basic parameter list. */
    public static byte[] persistentReserveOut(int serviceAction, int type) {
        byte[] c = new byte[10];
        c[0] = 0x5F;
        c[1] = (byte) (serviceAction & 0x1F);
        c[2] = (byte) (type & 0x0F); // scope 0: LU_SCOPE
        ByteBuffer.wrap(c).putInt(5, 24);
        return c;
    }

    /** The basic PERSISTENT RESERVE OUT parameter list: RESERVATION KEY, SERVICE ACTION RESERVATION KEY. */
    public static ByteBuffer prParameters(long key, long serviceActionKey) {
        return ByteBuffer.allocate(24).putLong(0, key).putLong(8, serviceActionKey);
    }

    /** MODE SENSE(10) of one page, current values, no block descriptors. */
    public static byte[] modeSense10(int page, int alloc) {
        byte[] c = new byte[10];
        c[0] = 0x5A;
        c[1] = 0x08; // DBD
        c[2] = (byte) (page & 0x3F);
        ByteBuffer.wrap(c).putShort(7, (short) alloc);
        return c;
    }

    /** MODE SELECT(10) with PF set (SPC-4 6.10). */
    public static byte[] modeSelect10(int parameterListLength) {
        byte[] c = new byte[10];
        c[0] = 0x55;
        c[1] = 0x10; // PF
        ByteBuffer.wrap(c).putShort(7, (short) parameterListLength);
        return c;
    }

    // ---------------------------------------------------------------- running

    /**
     * Runs a command, retrying while it reports a unit attention: a new initiator port first sees
     * POWER ON OCCURRED on every LU (SPC-4 5.14), reported once.
     */
    public static CommandResult run(IscsiSession s, int lun, byte[] cdb, ByteBuffer out, int in) throws IOException {
        CommandResult r = s.execute(lun, cdb, out, in);
        for (int i = 0; i < 4 && isUnitAttention(r); i++) {
            r = s.execute(lun, cdb, out, in);
        }
        return r;
    }

    /** Runs a command that must succeed and returns its data. */
    public static byte[] good(IscsiSession s, int lun, byte[] cdb, ByteBuffer out, int in) throws IOException {
        CommandResult r = run(s, lun, cdb, out, in);
        assertThat(r.status()).as("%s", r).isZero();
        return r.dataBytes();
    }

    public static boolean isUnitAttention(CommandResult r) {
        return r.status() == CommandResult.CHECK_CONDITION
                && r.senseData().map(d -> d.senseKey() == UNIT_ATTENTION).orElse(false);
    }

    /** TEST UNIT READY until GOOD, consuming every pending unit attention of this nexus. */
    public static void clearUnitAttentions(IscsiSession s, int lun) throws IOException {
        CommandResult r = run(s, lun, testUnitReady(), null, 0);
        assertThat(r.status()).as("%s", r).isZero();
    }

    public static SenseData sense(CommandResult r) {
        assertThat(r.status()).as("%s", r).isEqualTo(CommandResult.CHECK_CONDITION);
        return r.senseData().orElseThrow();
    }

    /** {last LBA + 1, block size} from READ CAPACITY (16). */
    public static long[] capacity(IscsiSession s, int lun) throws IOException {
        ByteBuffer d = ByteBuffer.wrap(good(s, lun, readCapacity16(), null, 32));
        return new long[] {d.getLong(0) + 1, d.getInt(8)};
    }

    public static void write(IscsiSession s, int lun, long lba, byte[] data, int blockSize) throws IOException {
        good(s, lun, write10(lba, data.length / blockSize), ByteBuffer.wrap(data), 0);
    }

    public static byte[] read(IscsiSession s, int lun, long lba, int bytes, int blockSize) throws IOException {
        byte[] d = good(s, lun, read10(lba, bytes / blockSize), null, bytes);
        assertThat(d).hasSize(bytes);
        return d;
    }

    public static byte[] random(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** LUN numbers from REPORT LUNS data (SAM-5 flat / peripheral addressing, single level). */
    public static List<Integer> lunList(byte[] data) {
        ByteBuffer d = ByteBuffer.wrap(data);
        int len = d.getInt(0);
        List<Integer> out = new ArrayList<>();
        for (int p = 8; p + 8 <= Math.min(data.length, 8 + len); p += 8) {
            out.add(((data[p] & 0x3F) << 8) | (data[p + 1] & 0xFF));
        }
        return out;
    }

    /** One designation descriptor of VPD 0x83 (SPC-4 7.8.6.1). */
    public record Designator(int protocol, int codeSet, boolean piv, int association, int type, byte[] value) {}

    public static List<Designator> designators(byte[] page83) {
        assertThat(page83[1] & 0xFF).isEqualTo(0x83);
        int end = Math.min(page83.length, 4 + (((page83[2] & 0xFF) << 8) | (page83[3] & 0xFF)));
        List<Designator> out = new ArrayList<>();
        int p = 4;
        while (p + 4 <= end) {
            int len = page83[p + 3] & 0xFF;
            byte[] v = java.util.Arrays.copyOfRange(page83, p + 4, Math.min(end, p + 4 + len));
            out.add(new Designator(page83[p] >>> 4 & 0x0F, page83[p] & 0x0F, (page83[p + 1] & 0x80) != 0,
                    page83[p + 1] >>> 4 & 0x03, page83[p + 1] & 0x0F, v));
            p += 4 + len;
        }
        return out;
    }

    /** The NAA designator (type 3, logical unit association) as lower-case hex. */
    public static String naaHex(List<Designator> ds) {
        return ds.stream().filter(d -> d.type() == 3 && d.association() == 0).findFirst()
                .map(d -> java.util.HexFormat.of().formatHex(d.value())).orElseThrow();
    }

    /** The relative target port identifier (type 4, target port association). */
    public static int relativePortId(List<Designator> ds) {
        return ds.stream().filter(d -> d.type() == 4 && d.association() == 1).findFirst()
                .map(d -> ((d.value()[2] & 0xFF) << 8) | (d.value()[3] & 0xFF)).orElseThrow();
    }

    /** The target port group (type 5, target port association). */
    public static int targetPortGroup(List<Designator> ds) {
        return ds.stream().filter(d -> d.type() == 5 && d.association() == 1).findFirst()
                .map(d -> ((d.value()[2] & 0xFF) << 8) | (d.value()[3] & 0xFF)).orElseThrow();
    }

    /** One descriptor of REPORT TARGET PORT GROUPS data (SPC-4 6.36). */
    public record PortGroup(int asymmetricAccessState, int id, List<Integer> relativePortIds) {}

    public static List<PortGroup> portGroups(byte[] data) {
        ByteBuffer d = ByteBuffer.wrap(data);
        int end = Math.min(data.length, 4 + d.getInt(0));
        List<PortGroup> out = new ArrayList<>();
        int p = 4;
        while (p + 8 <= end) {
            int count = data[p + 7] & 0xFF;
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < count && p + 8 + 4 * i + 4 <= end; i++) {
                ports.add(d.getShort(p + 8 + 4 * i + 2) & 0xFFFF);
            }
            out.add(new PortGroup(data[p] & 0x0F, d.getShort(p + 2) & 0xFFFF, ports));
            p += 8 + 4 * count;
        }
        return out;
    }
}
