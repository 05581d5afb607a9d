package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ABORT TASK naming a command that never arrived (RFC 7143 11.5.1): the target answers Function
 * Complete and treats that CmdSN as received, so the session goes on past the gap.
 */
@Timeout(60)
class AbortTaskE2eTest extends StandardServerE2e {
    static final int LUN = E2eServer.LUN_RAM512;
    static final int NEVER_USED_TAG = 0x0BAD0001;


    static TaskMgmtRequest abortTask(RawSession raw, int itt, int refCmdSn) {
        return new TaskMgmtRequest(true, TaskMgmtRequest.ABORT_TASK, 0, itt, NEVER_USED_TAG, raw.currentCmdSn(),
                raw.expStatSn(), refCmdSn, 0);
    }

    @Test // RFC 7143 11.5.1 b): RefCmdSN in the window, not received: the target considers it received
    void abortTaskOfANeverSentCommandLetsTheNextCommandsRun() throws Exception {
        try (RawSession raw = Wire.login(server, "iqn.2026-11.io.xtarget:abort-gap", Map.of())) {
            int n = raw.takeCmdSn(); // never sent
            raw.send(Wire.testUnitReady(raw, 0x10)); // CmdSN n + 1
            raw.send(abortTask(raw, 0x11, n));
            List<Pdu> seen = new ArrayList<>();
            TaskMgmtResponse tmf = null;
            ScsiResponsePdu tur = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while ((tmf == null || tur == null) && System.nanoTime() < deadline) {
                Pdu p = raw.read(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (p != null) {
                    seen.add(p);
                }
                if (p instanceof TaskMgmtResponse t) {
                    tmf = t;
                } else if (p instanceof ScsiResponsePdu r && r.itt() == 0x10) {
                    tur = r;
                }
            }
            assertThat(tmf).as("ABORT TASK response; seen %s", describe(seen)).isNotNull();
            assertThat(tmf.response()).as("ABORT TASK of never-received CmdSN %d", n)
                    .isEqualTo(TaskMgmtResponse.COMPLETE);
            if (tur == null) {
                fail("TEST UNIT READY with CmdSN %d never ran: ABORT TASK named the missing CmdSN %d, but the target"
                        + " did not treat it as received (ExpCmdSN in the TMF response: %d); seen %s", n + 1, n,
                        tmf.expCmdSn(), describe(seen));
            }
            boolean unitAttention = tur.status() == Wire.CHECK_CONDITION
                    && Wire.sense(tur).map(s -> s.senseKey() == Scsi.UNIT_ATTENTION).orElse(false);
            assertThat(tur.status() == Wire.GOOD || unitAttention).as("%s", Wire.describe(tur)).isTrue();

            raw.send(Wire.testUnitReady(raw, 0x12)); // CmdSN n + 2
            ScsiResponsePdu next = (ScsiResponsePdu) Wire.collectUntil(raw,
                    p -> p instanceof ScsiResponsePdu r && r.itt() == 0x12, "response to CmdSN " + (n + 2)).getLast();
            assertThat(next.status()).isEqualTo(Wire.GOOD);
            NopIn nop = (NopIn) Wire.ping(raw, 0x13).getLast();
            assertThat(nop.expCmdSn()).as("ExpCmdSN past every CmdSN used").isEqualTo(n + 3);
        }
    }

    /**
     * RFC 7143 11.5.1 b) with 4.2.2.1: once the aborted CmdSN counts as received, a command that
     * arrives late with that CmdSN is outside the window and is dropped: it never runs.
     */
    @Test
    void aCommandArrivingLateWithTheAbortedCmdSnNeverRuns() throws Exception {
        long lba = 3000;
        byte[] before = Scsi.random(512, 3000);
        Blocks.write(server, LUN, lba, before);
        try (RawSession raw = Wire.login(server, "iqn.2026-11.io.xtarget:abort-late", Map.of())) {
            int n = raw.takeCmdSn(); // not sent yet
            raw.send(abortTask(raw, 0x21, n));
            TaskMgmtResponse tmf = (TaskMgmtResponse) Wire.collectUntil(raw, p -> p instanceof TaskMgmtResponse,
                    "ABORT TASK response").getLast();
            assertThat(tmf.response()).isEqualTo(TaskMgmtResponse.COMPLETE);
            // The late WRITE (immediate data, ImmediateData=Yes) with the aborted CmdSN.
            raw.send(Wire.commandWithCmdSn(raw, false, 0x22, n, Scsi.write10(lba, 1), false, true, 512, true,
                    Blocks.filled(512, (byte) 0x5C)));
            raw.send(Wire.testUnitReady(raw, 0x23)); // CmdSN n + 1
            List<Pdu> seen = Wire.collectUntil(raw, p -> p instanceof ScsiResponsePdu r && r.itt() == 0x23,
                    "response to CmdSN " + (n + 1));
            seen.addAll(Wire.ping(raw, 0x24));
            for (Pdu p : seen) {
                assertThat(p instanceof ScsiResponsePdu r && r.itt() == 0x22)
                        .as("the late WRITE with aborted CmdSN %d must be dropped, got %s", n, Wire.describe(p))
                        .isFalse();
            }
        }
        Blocks.assertUnchanged(server, LUN, lba, before, Blocks.filled(512, (byte) 0x5C).array());
    }

    static List<String> describe(List<Pdu> pdus) {
        return pdus.stream().map(Wire::describe).toList();
    }
}
