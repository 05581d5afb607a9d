package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.SenseData;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through iSCSI: a RAM backstore configured with 4096-byte physical blocks on 512-byte logical
 * ones ("512e", LUN 0) next to a plain one (LUN 1): what READ CAPACITY(16) and VPD 0xB0 report,
 * and WRITE ATOMIC(16) with the physical block as its alignment and granularity.
 */
class PhysicalBlockE2eTest {
    static final int E512 = 0;
    static final int N512 = 1;

    @TempDir
    Path dir;
    E2eServer server;
    IscsiSession s;

    @BeforeEach
    void start() throws Exception {
        server = E2eServer.builder(dir).ram("e0", 16 * MIB, 512, 4096).ram("n0", 16 * MIB, 512)
                .target(E2eServer.TARGET, List.of(E2eServer.EPHEMERAL), List.of(rw(E512, "e0"), rw(N512, "n0")))
                .start();
        s = IscsiSession.open(server.host(), server.port(), E2eServer.TARGET, Scsi.options("iqn.2026-11.io.example:h"));
        Scsi.clearUnitAttentions(s, E512);
        Scsi.clearUnitAttentions(s, N512);
    }

    @AfterEach
    void stop() throws Exception {
        s.close();
        server.close();
    }

    @Test
    void readCapacity16ReportsEightLogicalBlocksPerPhysicalBlockAlignedAtLbaZero() throws Exception {
        ByteBuffer e = ByteBuffer.wrap(Scsi.good(s, E512, Scsi.readCapacity16(), null, 32));
        assertThat(e.getLong(0)).isEqualTo(16 * MIB / 512 - 1);
        assertThat(e.getInt(8)).isEqualTo(512);
        assertThat(e.get(13) & 0x0F).isEqualTo(3); // LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT: 2^3
        assertThat(e.getShort(14) & 0x3FFF).isZero(); // LOWEST ALIGNED LOGICAL BLOCK ADDRESS
        assertThat(e.get(14) & 0xC0).isEqualTo(0xC0); // LBPME, LBPRZ
        ByteBuffer n = ByteBuffer.wrap(Scsi.good(s, N512, Scsi.readCapacity16(), null, 32));
        assertThat(n.get(13) & 0x0F).isZero();
    }

    @Test
    void blockLimitsReportThePhysicalBlockAsGranularityAndAtomicUnit() throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Scsi.good(s, E512, Scsi.vpd(0xB0, 64), null, 64));
        assertThat(b.getShort(6)).isEqualTo((short) 8); // OPTIMAL TRANSFER LENGTH GRANULARITY
        assertThat(b.getInt(28)).isEqualTo(8); // OPTIMAL UNMAP GRANULARITY
        assertThat(b.getInt(32)).isEqualTo(0x8000_0000); // UGAVALID, alignment 0
        assertThat(b.getInt(44)).isEqualTo(8192); // MAXIMUM ATOMIC TRANSFER LENGTH
        assertThat(b.getInt(48)).isEqualTo(8); // ATOMIC ALIGNMENT
        assertThat(b.getInt(52)).isEqualTo(8); // ATOMIC TRANSFER LENGTH GRANULARITY
    }

    @Test
    void writeAtomicWritesWholePhysicalBlocksAndRefusesPartOfOne() throws Exception {
        byte[] data = Scsi.random(16 * 512, 9);
        Scsi.good(s, E512, writeAtomic(8, 16), ByteBuffer.wrap(data), 0);
        assertThat(Scsi.read(s, E512, 8, 16 * 512, 512)).isEqualTo(data);
        SenseData misaligned = Scsi.sense(Scsi.run(s, E512, writeAtomic(4, 8), ByteBuffer.wrap(new byte[8 * 512]), 0));
        assertThat(misaligned.senseKey()).isEqualTo(5); // ILLEGAL REQUEST
        assertThat(misaligned.asc()).isEqualTo(0x24); // INVALID FIELD IN CDB
        assertThat(misaligned.senseKeySpecific()).isEqualTo(0xC00002); // SKSV, C/D, field at byte 2
        SenseData partial = Scsi.sense(Scsi.run(s, E512, writeAtomic(0, 4), ByteBuffer.wrap(new byte[4 * 512]), 0));
        assertThat(partial.senseKeySpecific()).isEqualTo(0xC0000C); // TRANSFER LENGTH at byte 12
        assertThat(Scsi.read(s, E512, 0, 8 * 512, 512)).isEqualTo(new byte[8 * 512]);
        // the plain LU has no alignment: one block at LBA 3 is fine
        Scsi.good(s, N512, writeAtomic(3, 1), ByteBuffer.wrap(new byte[512]), 0);
    }

    private static byte[] writeAtomic(long lba, int blocks) {
        ByteBuffer c = ByteBuffer.allocate(16);
        c.put(0, (byte) 0x9C);
        c.putLong(2, lba);
        c.putShort(12, (short) blocks);
        return c.array();
    }
}
