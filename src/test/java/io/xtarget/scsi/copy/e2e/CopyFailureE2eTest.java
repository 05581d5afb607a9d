package io.xtarget.scsi.copy.e2e;

import static io.xtarget.scsi.copy.e2e.CopyTestServer.A;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.FAULTY;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.HOST;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.R512;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.SLOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.SenseData;
import io.xtarget.initiator.TaskAbortedException;
import io.xtarget.scsi.copy.CopyStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Copies that do not finish: ABORT TASK mid-copy, and a destination failing mid-copy. */
class CopyFailureE2eTest extends CopyE2eBase {
    @Test
    void abortTaskStopsACopyWhichReportsPartialProgress() throws Exception {
        byte[] slow = host.naaDescriptor(SLOW);
        host.blockSize(SLOW); // INQUIRY does not report the POWER ON unit attention; READ CAPACITY does
        long half = (64L << 20) / 512;
        byte[] list = new XcopyList().listId(42, XcopyList.USAGE_HOLD).cscd(slow, 512)
                .segment(0, 0, 65535, 0, half).segment(0, 0, 65535, 65535, half + 65535).build();
        CopyStats.Snapshot before = server.server.copyStats().snapshot();
        server.slow.arm(200); // every chunk write waits; 64 chunks on 4 lanes outlast the abort
        try {
            CompletableFuture<CommandResult> copy = host.submitXcopy(SLOW, list);
            int itt = host.session.taskTagOf(copy);
            if (!server.slow.awaitWrite(copy::isDone)) {
                throw new AssertionError("copy ended before writing: " + copy.get());
            }
            int response = host.session.abortTask(itt);
            assertThat(response).as("TMF response: function complete").isZero();
            Throwable t = catchThrowable(copy::get);
            assertThat(t).as("no GOOD for an aborted copy").isInstanceOf(ExecutionException.class);
            assertThat(t.getCause()).isInstanceOf(TaskAbortedException.class);
        } finally {
            server.slow.disarm();
        }
        long[] st = host.copyStatus(SLOW, 42);
        long bytes = st[3] << (10 * st[2]);
        assertThat(st[0]).as("completed with errors").isEqualTo(2);
        assertThat(st[1]).as("segments processed").isZero();
        assertThat(bytes).as("partial progress").isPositive().isLessThan(65535L * 512);
        CopyStats.Snapshot after = server.server.copyStats().snapshot();
        assertThat(after.failures() - before.failures()).isEqualTo(1);
        assertThat(after.succeeded()).isEqualTo(before.succeeded());
    }

    @Test
    void destinationFailingMidCopyIsCopyAbortedInThatSegment() throws IOException {
        byte[] src = new byte[3 << 20];
        new Random(7).nextBytes(src);
        host.write(R512, 0, src, 512);
        byte[] list = new XcopyList().listId(43, XcopyList.USAGE_HOLD).cscd(host.naaDescriptor(R512), 512)
                .cscd(host.naaDescriptor(FAULTY), 512)
                .segment(0, 1, 2048, 0, 0) // 1 MiB at 0
                .segment(0, 1, 4096, 2048, 14336) // 2 MiB at 7 MiB: crosses the fault at 8 MiB
                .build();
        server.faulty.failWritesFrom(8L << 20);
        CommandResult r;
        try {
            r = host.xcopy(R512, list);
        } finally {
            server.faulty.clear();
        }
        SenseData s = Host.sense(r);
        assertThat(s.senseKey()).as("COPY ABORTED").isEqualTo(0x0A);
        assertThat(s.asc()).isEqualTo(0x0D);
        assertThat(s.ascq()).as("THIRD PARTY DEVICE FAILURE").isEqualTo(0x01);
        assertThat(s.commandSpecific()).as("failing segment").isEqualTo(1);

        long[] st = host.copyStatus(R512, 43);
        assertThat(st[0]).isEqualTo(2);
        assertThat(st[1]).as("segments processed").isEqualTo(1);
        assertThat(host.read(FAULTY, 0, 2048, 512)).isEqualTo(Arrays.copyOf(src, 1 << 20));

        // FAILED SEGMENT DETAILS (SPC-4 6.20.5) hold the same sense
        CommandResult d = host.run(R512, XcopyList.receiveCopyResults(4, 43, 300), null, 300);
        assertThat(d.status()).as(d.toString()).isZero();
        ByteBuffer b = d.data();
        assertThat(b.get(56) & 0xFF).as("COPY COMMAND STATUS").isEqualTo(CommandResult.CHECK_CONDITION);
        byte[] sense = new byte[b.getShort(58) & 0xFFFF];
        b.get(60, sense);
        assertThat(sense).isEqualTo(r.sense());
    }

    @Test
    void sourceFailingMidCopyIsCopyAbortedToo() throws IOException {
        byte[] list = new XcopyList().cscd(host.naaDescriptor(FAULTY), 512).cscd(host.naaDescriptor(R512), 512)
                .segment(0, 1, 4096, 8192, 20000).build();
        server.faulty.failReadsFrom(5L << 20);
        CommandResult r;
        try {
            r = host.xcopy(R512, list);
        } finally {
            server.faulty.clear();
        }
        SenseData s = Host.sense(r);
        assertThat(s.senseKey()).isEqualTo(0x0A);
        assertThat(s.asc()).isEqualTo(0x0D);
        assertThat(s.ascq()).isEqualTo(0x01);
        assertThat(s.commandSpecific()).isZero();
    }
}
