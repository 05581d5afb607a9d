package io.xtarget.scsi.copy.e2e;

import static io.xtarget.scsi.copy.e2e.CopyTestServer.A;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.B;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.C;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.F512;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.HOST;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.OTHER;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.R512;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.LoginException;
import io.xtarget.initiator.SenseData;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Who may copy what: an LU the initiator cannot see is indistinguishable from an unknown one
 * (CVE-2020-28374 cannot happen), a destination reached only read-only is write protected, reservations of
 * other initiators are obeyed, and copy policy {@code port} narrows the reachable LUs to the
 * receiving target.
 */
class CopyAccessE2eTest extends CopyE2eBase {
    /** A designation descriptor (VPD 0x83 form) for an NAA learned out of band. */
    static byte[] naaDescriptor(byte[] naa) {
        byte[] d = new byte[4 + naa.length];
        d[0] = 0x01;
        d[1] = 0x03;
        d[3] = (byte) naa.length;
        System.arraycopy(naa, 0, d, 4, naa.length);
        return d;
    }

    static byte[] pattern(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void assertNotReachable(CommandResult r, int segment) {
        SenseData s = Host.sense(r);
        assertThat(s.senseKey()).as("COPY ABORTED").isEqualTo(0x0A);
        assertThat(s.asc()).isEqualTo(0x0D);
        assertThat(s.ascq()).as("COPY TARGET DEVICE NOT REACHABLE").isEqualTo(0x02);
        assertThat(s.commandSpecific()).as("failing segment").isEqualTo(segment);
    }

    static void assertWriteProtected(CommandResult r, int segment) {
        SenseData s = Host.sense(r);
        assertThat(s.senseKey()).as("DATA PROTECT").isEqualTo(0x07);
        assertThat(s.asc()).isEqualTo(0x27);
        assertThat(s.ascq()).as("WRITE PROTECTED").isZero();
        assertThat(s.commandSpecific()).as("failing segment").isEqualTo(segment);
    }

    @Test
    void luOfAnotherInitiatorIsExactlyLikeAnUnknownNaa() throws IOException {
        byte[] secret = naaDescriptor(server.unit("secret").naa());
        byte[] unknown = naaDescriptor(new byte[] {0x60, 0x0A, 0x58, 0x54, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        byte[] mine = host.naaDescriptor(R512);
        host.write(R512, 0, pattern(1, 4096), 512);

        try (Host other = server.login(C, OTHER)) {
            byte[] secretData = pattern(2, 8192);
            other.write(0, 0, secretData, 512);

            // CVE-2020-28374: the NAA of an LU exported only to OTHER is known to HOST; it still
            // resolves to nothing, as source and as destination, through every target HOST reaches.
            CommandResult asSource = host.xcopy(R512,
                    new XcopyList().cscd(secret, 512).cscd(mine, 512).segment(0, 1, 16, 0, 100).build());
            CommandResult unknownSource = host.xcopy(R512,
                    new XcopyList().cscd(unknown, 512).cscd(mine, 512).segment(0, 1, 16, 0, 100).build());
            assertNotReachable(asSource, 0);
            assertThat(asSource.sense()).as("same sense bytes as an unknown NAA").isEqualTo(unknownSource.sense());

            CommandResult asDestination = host.xcopy(R512,
                    new XcopyList().cscd(mine, 512).cscd(secret, 512).segment(0, 1, 8, 0, 0).build());
            CommandResult unknownDestination = host.xcopy(R512,
                    new XcopyList().cscd(mine, 512).cscd(unknown, 512).segment(0, 1, 8, 0, 0).build());
            assertNotReachable(asDestination, 0);
            assertThat(asDestination.sense()).isEqualTo(unknownDestination.sense());

            try (Host viaB = server.login(B, HOST)) {
                assertNotReachable(viaB.xcopy(0, new XcopyList().cscd(mine, 512).cscd(secret, 512)
                        .segment(0, 1, 8, 0, 0).build()), 0);
            }
            assertThatThrownBy(() -> server.login(C, HOST)).isInstanceOf(LoginException.class);
            assertThat(other.read(0, 0, 16, 512)).as("the secret LU is untouched").isEqualTo(secretData);

            // positive control: the NAA is right, its owner may copy from it (to C's LUN 1, b0)
            byte[] b0 = other.naaDescriptor(1);
            CommandResult own = other.xcopy(0, new XcopyList().cscd(secret, 512).cscd(b0, 512)
                    .segment(0, 1, 16, 0, 2000).build());
            assertThat(own.status()).as(own.toString()).isZero();
            assertThat(other.read(1, 2000, 16, 512)).isEqualTo(secretData);
        }
    }

    @Test
    void readOnlyMappingIsAWriteProtectedDestination() throws IOException {
        try (Host b = server.login(B, HOST)) {
            byte[] r512 = b.naaDescriptor(1); // r512, read-only through target B
            byte[] b0 = b.naaDescriptor(0);
            byte[] before = b.read(1, 3000, 8, 512);
            b.write(0, 3000, pattern(3, 4096), 512);

            // target B has copy policy port: r512 is reachable only through the read-only mapping,
            // so it is write protected as a destination (as a WRITE through that mapping would be)
            assertWriteProtected(b.xcopy(0, new XcopyList().cscd(b0, 512).cscd(r512, 512)
                    .segment(0, 1, 8, 3000, 3000).build()), 0);
            // naming the receiving LU itself (FFFFh) as destination through the read-only mapping
            assertWriteProtected(b.xcopy(1, new XcopyList().cscd(b0, 512)
                    .segment(0, 0xFFFF, 8, 3000, 3000).build()), 0);
            assertThat(b.read(1, 3000, 8, 512)).isEqualTo(before);

            // reading from a read-only mapping is fine: PUSH from LUN 1 into b0
            CommandResult push = b.xcopy(1, new XcopyList().cscd(b0, 512).segment(0xFFFF, 0, 8, 3000, 3100).build());
            assertThat(push.status()).as(push.toString()).isZero();
            assertThat(b.read(0, 3100, 8, 512)).isEqualTo(before);
        }
    }

    @Test
    void reservationOfAnotherInitiatorOnTheDestinationConflicts() throws IOException {
        byte[] list = new XcopyList().cscd(host.naaDescriptor(R512), 512).cscd(host.naaDescriptor(F512), 512)
                .segment(0, 1, 8, 0, 4000).build();
        byte[] before = host.read(F512, 4000, 8, 512);
        host.write(R512, 0, pattern(4, 4096), 512);
        try (Host other = server.login(A, OTHER)) {
            CommandResult reserve = other.run(F512, new byte[] {0x16, 0, 0, 0, 0, 0}, null, 0); // RESERVE(6)
            assertThat(reserve.status()).as(reserve.toString()).isZero();
            try {
                CommandResult r = host.xcopy(R512, list);
                assertThat(r.status()).as(r.toString()).isEqualTo(CommandResult.RESERVATION_CONFLICT);
                assertThat(host.read(R512, 0, 1, 512)).hasSize(512); // the source is still readable
            } finally {
                other.run(F512, new byte[] {0x17, 0, 0, 0, 0, 0}, null, 0); // RELEASE(6)
            }
        }
        assertThat(host.read(F512, 4000, 8, 512)).isEqualTo(before);
        CommandResult after = host.xcopy(R512, list);
        assertThat(after.status()).as(after.toString()).isZero();
    }

    @Test
    void policyPortReachesOnlyTheReceivingTargetPolicyInitiatorEveryTarget() throws IOException {
        try (Host b = server.login(B, HOST)) {
            byte[] b0 = b.naaDescriptor(0);
            byte[] f512 = host.naaDescriptor(F512);
            byte[] data = pattern(5, 4096);
            b.write(0, 5000, data, 512);
            byte[] list = new XcopyList().cscd(b0, 512).cscd(f512, 512).segment(0, 1, 8, 5000, 5000).build();

            assertNotReachable(b.xcopy(0, list), 0); // through B (port): f512 is A's only
            CommandResult viaA = host.xcopy(F512, list); // through A (initiator): HOST reaches b0 via B
            assertThat(viaA.status()).as(viaA.toString()).isZero();
            assertThat(host.read(F512, 5000, 8, 512)).isEqualTo(data);
        }
    }
}
