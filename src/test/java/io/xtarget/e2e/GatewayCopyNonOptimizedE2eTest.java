package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An EXTENDED COPY sent to the gateway that is not the RBD image's home, copying within the image:
 * its destination is written as a WRITE through that gateway would be (the image's lock is handed
 * over to it), the copy is served, the access states do not move, and the home writes again
 * right after (the lock comes back). Two gateway processes
 * ({@link GatewayProcesses}); skipped without Ceph ({@link CephTestCluster}).
 */
@Timeout(120)
class GatewayCopyNonOptimizedE2eTest {
    private static final int BLOCKS = 16;

    @TempDir
    Path dir;

    /** An EXTENDED COPY(LID1) parameter list (SPC-4 6.4.3): one NAA CSCD, one block-to-block segment. */
    private static byte[] copyWithin(String naa, long srcLba, long dstLba) {
        ByteBuffer p = ByteBuffer.allocate(16 + 32 + 28);
        p.put(0, (byte) 1); // list identifier
        p.putShort(2, (short) 32); // CSCD descriptor list length
        p.putInt(8, 28); // segment descriptor list length (bytes 8..11)
        int c = 16;
        p.put(c, (byte) 0xE4); // identification CSCD descriptor
        p.put(c + 4, (byte) 0x01); // binary
        p.put(c + 5, (byte) 0x03); // LU association, NAA
        p.put(c + 7, (byte) 16);
        p.put(c + 8, HexFormat.of().parseHex(naa));
        p.put(c + 30, (byte) 0x02); // disk block length 512
        int s = c + 32;
        p.put(s, (byte) 0x02); // block device to block device
        p.putShort(s + 2, (short) 0x18);
        p.putShort(s + 4, (short) 0); // source CSCD 0
        p.putShort(s + 6, (short) 0); // destination CSCD 0
        p.putShort(s + 10, (short) BLOCKS);
        p.putLong(s + 12, srcLba);
        p.putLong(s + 20, dstLba);
        return p.array();
    }

    private static byte[] extendedCopyCdb(int length) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x83;
        ByteBuffer.wrap(cdb).putInt(10, length);
        return cdb;
    }

    @Test
    void anExtendedCopyThroughTheNonOptimizedGatewayIsServedAndMovesNothing() throws Exception {
        String conf = CephTestCluster.conf().toString();
        ServeProcess[] gw = GatewayProcesses.start(dir, conf, CephTestCluster.imageName("xcopy-e2e"));
        try (ServeProcess one = gw[0];
                ServeProcess two = gw[1];
                IscsiSession s1 = GatewayProcesses.open(one, "iqn.2026-11.org.example:host");
                IscsiSession s2 = GatewayProcesses.open(two, "iqn.2026-11.org.example:host")) {
            byte[] data = Scsi.random(BLOCKS * 512, 7);
            Scsi.write(s1, 0, 0, data, 512);
            assertThat(GatewayProcesses.state(s2, 2)).as("gateway 2 non-optimized").isEqualTo(1);

            byte[] params = copyWithin("6001405f0e1d2c3b4a5968778695a4b3", 0, 1000);
            CommandResult r = s2.execute(0, extendedCopyCdb(params.length), ByteBuffer.wrap(params), 0);
            assertThat(GatewayProcesses.outcome(r)).isEqualTo("GOOD");
            assertThat(Scsi.read(s2, 0, 1000, BLOCKS * 512, 512)).isEqualTo(data);
            assertThat(GatewayProcesses.state(s2, 2)).as("gateway 2 still non-optimized").isEqualTo(1);
            assertThat(GatewayProcesses.state(s1, 1)).as("gateway 1 still optimized").isZero();
            byte[] more = Scsi.random(BLOCKS * 512, 8);
            Scsi.write(s1, 0, 0, more, 512); // the lock goes back to gateway 1 for its write
            assertThat(Scsi.read(s2, 0, 0, BLOCKS * 512, 512)).isEqualTo(more);
        }
    }
}
