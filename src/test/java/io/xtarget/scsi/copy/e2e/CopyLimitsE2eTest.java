package io.xtarget.scsi.copy.e2e;

import static io.xtarget.scsi.copy.e2e.CopyTestServer.A;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.F512;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.HOST;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.R512;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.SenseData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limit and parameter list sense codes of SPC-4 6.4 through a real session, against the
 * limits the target itself advertises in RECEIVE COPY RESULTS OPERATING PARAMETERS.
 */
class CopyLimitsE2eTest {
    @TempDir
    static Path dir;
    static CopyTestServer server;
    static Host host;
    static int maxCscds;
    static int maxSegments;
    static byte[] r512;
    static byte[] f512;

    @BeforeAll
    static void start() throws IOException {
        server = CopyTestServer.start(dir);
        host = server.login(A, HOST);
        CommandResult op = host.run(R512, XcopyList.receiveCopyResults(3, 0, 256), null, 256);
        assertThat(op.status()).as(op.toString()).isZero();
        ByteBuffer d = op.data();
        maxCscds = d.getShort(8) & 0xFFFF;
        maxSegments = d.getShort(10) & 0xFFFF;
        r512 = host.naaDescriptor(R512);
        f512 = host.naaDescriptor(F512);
    }

    @AfterAll
    static void stop() {
        if (host != null) {
            host.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static SenseData illegal(CommandResult r, int asc, int ascq) {
        SenseData s = Host.sense(r);
        assertThat(s.senseKey()).as("ILLEGAL REQUEST in " + r).isEqualTo(5);
        assertThat(s.asc()).as("asc in " + r).isEqualTo(asc);
        assertThat(s.ascq()).as("ascq in " + r).isEqualTo(ascq);
        return s;
    }

    /** SKSV, C/D = 0 (parameter list), BPV and bit pointer, FIELD POINTER: SPC-4 4.5.2.4.2. */
    static void fieldPointer(SenseData s, int byteIndex, int bit) {
        int expected = 0x800000 | (bit >= 0 ? 0x080000 | bit << 16 : 0) | byteIndex;
        assertThat(s.senseKeySpecific()).as("sense key specific").isEqualTo(expected);
    }

    @Test
    void tooManyCscdDescriptors() throws IOException {
        XcopyList l = new XcopyList();
        for (int i = 0; i <= maxCscds; i++) {
            l.cscd(r512, 512);
        }
        illegal(host.xcopy(R512, l.segment(0, 1, 1, 0, 10).build()), 0x26, 0x06);
    }

    @Test
    void unsupportedCscdDescriptorType() throws IOException {
        byte[] fibreChannel = new byte[32];
        fibreChannel[0] = (byte) 0xE0; // Fibre Channel N_Port_Name CSCD
        SenseData s = illegal(host.xcopy(R512, new XcopyList().cscd(r512, 512).rawCscd(fibreChannel)
                .segment(0, 1, 1, 0, 10).build()), 0x26, 0x07);
        fieldPointer(s, 16 + 32, -1);
    }

    @Test
    void tooManySegmentDescriptors() throws IOException {
        XcopyList l = new XcopyList().cscd(r512, 512).cscd(f512, 512);
        for (int i = 0; i <= maxSegments; i++) {
            l.segment(0, 1, 1, i, 100 + i);
        }
        illegal(host.xcopy(R512, l.build()), 0x26, 0x08);
    }

    @Test
    void unsupportedSegmentDescriptorType() throws IOException {
        byte[] blockToStream = new byte[28];
        blockToStream[0] = 0x03;
        blockToStream[3] = 0x18;
        SenseData s = illegal(host.xcopy(R512, new XcopyList().cscd(r512, 512).cscd(f512, 512)
                .segment(0, 1, 1, 0, 10).rawSegment(blockToStream).build()), 0x26, 0x09);
        fieldPointer(s, 16 + 64 + 28, -1);
    }

    @Test
    void descriptorListsLongerThanTheParameterListAreParameterListLengthError() throws IOException {
        byte[] list = new XcopyList().cscd(r512, 512).cscd(f512, 512).segment(0, 1, 1, 0, 10).build();
        ByteBuffer.wrap(list).putInt(8, 28 * 3); // SEGMENT DESCRIPTOR LIST LENGTH claims three segments
        illegal(host.xcopy(R512, list), 0x1A, 0x00);
        illegal(host.xcopy(R512, new byte[8]), 0x1A, 0x00); // shorter than the header
    }

    @Test
    void reservedListIdUsageIsInvalidFieldWithBitPointer() throws IOException {
        byte[] list = new XcopyList().listId(5, 0b01).cscd(r512, 512).cscd(f512, 512).segment(0, 1, 1, 0, 10).build();
        fieldPointer(illegal(host.xcopy(R512, list), 0x26, 0x00), 1, 4);
    }

    @Test
    void wrongSegmentDescriptorLengthIsInvalidField() throws IOException {
        byte[] list = new XcopyList().cscd(r512, 512).cscd(f512, 512).segment(0, 1, 1, 0, 10).build();
        list[16 + 64 + 3] = 0x14;
        fieldPointer(illegal(host.xcopy(R512, list), 0x26, 0x00), 16 + 64 + 2, -1);
    }

    @Test
    void failingSegmentIsNamedInCommandSpecificInformation() throws IOException {
        byte[] before = host.read(F512, 6000, 8, 512);
        long pastEnd = CopyTestServer.SIZE / 512 - 4;
        CommandResult r = host.xcopy(R512, new XcopyList().listId(9, XcopyList.USAGE_HOLD).cscd(r512, 512)
                .cscd(f512, 512).segment(0, 1, 8, 0, 6000).segment(0, 1, 8, 8, 6008).segment(0, 1, 8, 16, pastEnd)
                .build());
        SenseData s = Host.sense(r);
        assertThat(s.senseKey()).isEqualTo(0x0A);
        assertThat(s.asc()).isEqualTo(0x0D);
        assertThat(s.ascq()).isEqualTo(0x02);
        assertThat(s.commandSpecific()).as("segment number").isEqualTo(2);
        assertThat(host.read(F512, 6000, 8, 512)).as("nothing moved: ranges are checked first").isEqualTo(before);
        long[] st = host.copyStatus(R512, 9);
        assertThat(st[0]).as("completed with errors").isEqualTo(2);
    }

    @Test
    void unknownCscdIndexIsNotReachableWithItsSegment() throws IOException {
        CommandResult r = host.xcopy(R512, new XcopyList().cscd(r512, 512).cscd(f512, 512)
                .segment(0, 1, 1, 0, 10).segment(0, 7, 1, 0, 10).build());
        SenseData s = Host.sense(r);
        assertThat(s.senseKey()).isEqualTo(0x0A);
        assertThat(s.asc()).isEqualTo(0x0D);
        assertThat(s.commandSpecific()).isEqualTo(1);
    }
}
