package io.xtarget.e2e;

import static io.xtarget.e2e.Wire.OUTCOME_WAIT;
import static io.xtarget.e2e.Wire.RESERVED_TAG;
import static io.xtarget.e2e.Wire.answer;
import static io.xtarget.e2e.Wire.assertRefused;
import static io.xtarget.e2e.Wire.awaitOutcome;
import static io.xtarget.e2e.Wire.dataOut;
import static io.xtarget.e2e.Wire.expectR2t;
import static io.xtarget.e2e.Wire.write10;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A WRITE whose Data-Out breaks RFC 7143's rules must never end GOOD and must never write a block
 * whose data did not arrive: it ends with a Reject, CHECK CONDITION ABORTED COMMAND or a closed
 * connection, and another session then reads exactly what was there before. Every test writes 32
 * blocks (EDTL 16384) at its own LBA after {@link Blocks#prepare} left 0xA5 in the target's pooled
 * buffers, so a command run on bytes that never arrived shows up as 0xA5 on the medium.
 */
@Timeout(60)
class DataOutRulesE2eTest extends StandardServerE2e {
    static final int LUN = E2eServer.LUN_RAM512;
    static final int BURST = 8192;
    static final int EDTL = 16384;
    static final int BLOCKS = EDTL / Blocks.BLOCK;
    static final int ITT = 0x100;


    /** ImmediateData=No, InitialR2T=Yes, FirstBurstLength=MaxBurstLength=8192, MaxOutstandingR2T=1. */
    static RawSession r2tSession(String who) throws Exception {
        return Wire.login(server, "iqn.2026-11.io.xtarget:dataout-" + who, Wire.r2tOnly(BURST));
    }

    /** ImmediateData=No, InitialR2T=No (one unsolicited burst of {@code firstBurst}), MaxBurstLength 16384. */
    static RawSession unsolicitedSession(String who, int firstBurst) throws Exception {
        return Wire.login(server, "iqn.2026-11.io.xtarget:dataout-" + who, Wire.unsolicited(firstBurst, EDTL));
    }

    // ---------------------------------------------------------------- positive controls

    @Test // RFC 7143 11.8: Data-Out answering each R2T at its offset and length; the write ends GOOD
    void correctSolicitedWriteIsGoodAndReadsBack() throws Exception {
        long lba = 400;
        Blocks.prepare(server, LUN, lba, BLOCKS, 40);
        byte[] data = Scsi.random(EDTL, 41);
        try (RawSession raw = r2tSession("control-r2t")) {
            raw.send(write10(raw, ITT, lba, BLOCKS, true));
            answer(raw, expectR2t(raw, ITT, 0, BURST), data);
            answer(raw, expectR2t(raw, ITT, BURST, BURST), data);
            Wire.Outcome o = awaitOutcome(raw, ITT, OUTCOME_WAIT, null);
            assertThat(o.kind()).as("%s", o).isEqualTo(Wire.Kind.RESPONSE);
            assertThat(o.response().status()).as("%s", o).isEqualTo(Wire.GOOD);
        }
        assertThat(Blocks.read(server, LUN, lba, EDTL)).isEqualTo(data);
    }

    @Test // RFC 7143 11.7, 13.11/13.14: one unsolicited burst of FirstBurstLength, the rest by R2T; GOOD
    void correctUnsolicitedThenSolicitedWriteIsGoodAndReadsBack() throws Exception {
        long lba = 450;
        Blocks.prepare(server, LUN, lba, BLOCKS, 45);
        byte[] data = Scsi.random(EDTL, 46);
        try (RawSession raw = unsolicitedSession("control-unsolicited", BURST)) {
            raw.send(write10(raw, ITT, lba, BLOCKS, false));
            raw.send(dataOut(raw, ITT, RESERVED_TAG, 0, 0, data, 0, BURST, true));
            answer(raw, expectR2t(raw, ITT, BURST, BURST), data);
            Wire.Outcome o = awaitOutcome(raw, ITT, OUTCOME_WAIT, null);
            assertThat(o.kind()).as("%s", o).isEqualTo(Wire.Kind.RESPONSE);
            assertThat(o.response().status()).as("%s", o).isEqualTo(Wire.GOOD);
        }
        assertThat(Blocks.read(server, LUN, lba, EDTL)).isEqualTo(data);
    }

    // ---------------------------------------------------------------- broken Data-Out

    @Test // RFC 7143 11.7.6, 11.8.4, 13.19 (DataSequenceInOrder): Data-Out for an R2T is at the R2T's offset
    void secondR2tAnsweredAtOffsetZero() throws Exception {
        long lba = 500;
        byte[] before = Blocks.prepare(server, LUN, lba, BLOCKS, 50);
        byte[] data = Scsi.random(EDTL, 51);
        try (RawSession raw = r2tSession("wrong-offset")) {
            raw.send(write10(raw, ITT, lba, BLOCKS, true));
            answer(raw, expectR2t(raw, ITT, 0, BURST), data);
            R2t second = expectR2t(raw, ITT, BURST, BURST);
            raw.send(dataOut(raw, ITT, second.ttt(), 0, 0, data, BURST, BURST, true)); // offset 0, not 8192
            assertRefused(ITT, awaitOutcome(raw, ITT, OUTCOME_WAIT, null));
        }
        Blocks.assertUnchanged(server, LUN, lba, before, data);
    }

    @Test // RFC 7143 13.18 (DataPDUInOrder=Yes): no overlays; two unsolicited Data-Outs at offset 0
    void twoUnsolicitedDataOutsAtTheSameOffset() throws Exception {
        long lba = 600;
        byte[] before = Blocks.prepare(server, LUN, lba, BLOCKS, 60);
        byte[] data = Scsi.random(EDTL, 61);
        try (RawSession raw = unsolicitedSession("overlay", EDTL)) {
            raw.send(write10(raw, ITT, lba, BLOCKS, false));
            raw.send(dataOut(raw, ITT, RESERVED_TAG, 0, 0, data, 0, BURST, false));
            raw.send(dataOut(raw, ITT, RESERVED_TAG, 1, 0, data, BURST, BURST, true)); // offset 0 again
            assertRefused(ITT, awaitOutcome(raw, ITT, OUTCOME_WAIT, data));
        }
        Blocks.assertUnchanged(server, LUN, lba, before, data);
    }

    @Test // RFC 7143 13.18, 13.19 (DataPDUInOrder, DataSequenceInOrder): unsolicited data from offset 0, no gaps
    void unsolicitedBurstStartingAtOffset8192() throws Exception {
        long lba = 700;
        byte[] before = Blocks.prepare(server, LUN, lba, BLOCKS, 70);
        byte[] data = Scsi.random(EDTL, 71);
        try (RawSession raw = unsolicitedSession("gap-unsolicited", EDTL)) {
            raw.send(write10(raw, ITT, lba, BLOCKS, false));
            raw.send(dataOut(raw, ITT, RESERVED_TAG, 0, BURST, data, BURST, BURST, true)); // 0..8191 never sent
            // Any R2T is answered honestly with the range it asks for.
            assertRefused(ITT, awaitOutcome(raw, ITT, OUTCOME_WAIT, data));
        }
        Blocks.assertUnchanged(server, LUN, lba, before, data);
    }

    @Test // RFC 7143 11.8.4, 13.18 (DataPDUInOrder): an R2T's data starts at its offset; 0..4095 left out
    void firstR2tAnsweredFromOffset4096() throws Exception {
        long lba = 800;
        byte[] before = Blocks.prepare(server, LUN, lba, BLOCKS, 80);
        byte[] data = Scsi.random(EDTL, 81);
        try (RawSession raw = r2tSession("gap-solicited")) {
            raw.send(write10(raw, ITT, lba, BLOCKS, true));
            R2t first = expectR2t(raw, ITT, 0, BURST);
            raw.send(dataOut(raw, ITT, first.ttt(), 0, 4096, data, 4096, 4096, true));
            assertRefused(ITT, awaitOutcome(raw, ITT, OUTCOME_WAIT, data));
        }
        Blocks.assertUnchanged(server, LUN, lba, before, data);
    }

    @Test // RFC 7143 13.14: unsolicited data beyond FirstBurstLength (8192 of an EDTL of 16384)
    void unsolicitedDataBeyondFirstBurstLength() throws Exception {
        long lba = 900;
        byte[] before = Blocks.prepare(server, LUN, lba, BLOCKS, 90);
        byte[] data = Scsi.random(EDTL, 91);
        try (RawSession raw = unsolicitedSession("excess", BURST)) {
            raw.send(write10(raw, ITT, lba, BLOCKS, false));
            raw.send(dataOut(raw, ITT, RESERVED_TAG, 0, 0, data, 0, BURST, false));
            raw.send(dataOut(raw, ITT, RESERVED_TAG, 1, BURST, data, BURST, BURST, true)); // not solicited
            assertRefused(ITT, awaitOutcome(raw, ITT, OUTCOME_WAIT, data));
        }
        Blocks.assertUnchanged(server, LUN, lba, before, data);
    }

    @Test // RFC 7143 11.7.4: the Target Transfer Tag of solicited data must be one the target issued
    void dataOutWithATargetTransferTagNeverIssued() throws Exception {
        long lba = 1000;
        byte[] before = Blocks.prepare(server, LUN, lba, BLOCKS, 100);
        byte[] data = Scsi.random(EDTL, 101);
        try (RawSession raw = r2tSession("bad-ttt")) {
            raw.send(write10(raw, ITT, lba, BLOCKS, true));
            R2t first = expectR2t(raw, ITT, 0, BURST);
            int bogus = first.ttt() ^ 0x5A5A0000;
            raw.send(dataOut(raw, ITT, bogus, 0, 0, data, 0, BURST, true));
            assertRefused(ITT, awaitOutcome(raw, ITT, OUTCOME_WAIT, data));
        }
        Blocks.assertUnchanged(server, LUN, lba, before, data);
    }

    @Test // RFC 7143 11.7.5: DataSN counts the PDUs of a sequence from 0; here they come as 1 then 0
    void dataSnOutOfOrderWithinAnR2tSequence() throws Exception {
        long lba = 1100;
        byte[] before = Blocks.prepare(server, LUN, lba, BLOCKS, 110);
        byte[] data = Scsi.random(EDTL, 111);
        try (RawSession raw = r2tSession("datasn")) {
            raw.send(write10(raw, ITT, lba, BLOCKS, true));
            R2t first = expectR2t(raw, ITT, 0, BURST);
            raw.send(dataOut(raw, ITT, first.ttt(), 1, 4096, data, 4096, 4096, false));
            raw.send(dataOut(raw, ITT, first.ttt(), 0, 0, data, 0, 4096, true));
            assertRefused(ITT, awaitOutcome(raw, ITT, OUTCOME_WAIT, data));
        }
        Blocks.assertUnchanged(server, LUN, lba, before, data);
    }

    @Test // RFC 7143 11.7.6, 11.8.4: Data-Out beyond the expected data transfer length
    void dataOutBeyondTheExpectedDataTransferLength() throws Exception {
        long lba = 1200;
        byte[] before = Blocks.prepare(server, LUN, lba, BLOCKS, 120);
        byte[] data = Scsi.random(EDTL + 4096, 121);
        try (RawSession raw = r2tSession("beyond")) {
            raw.send(write10(raw, ITT, lba, BLOCKS, true));
            answer(raw, expectR2t(raw, ITT, 0, BURST), data);
            R2t second = expectR2t(raw, ITT, BURST, BURST);
            raw.send(dataOut(raw, ITT, second.ttt(), 0, EDTL, data, EDTL, 4096, false)); // bytes 16384..20479
            raw.send(dataOut(raw, ITT, second.ttt(), 1, BURST, data, BURST, BURST, true));
            assertRefused(ITT, awaitOutcome(raw, ITT, OUTCOME_WAIT, null));
        }
        Blocks.assertUnchanged(server, LUN, lba, before, data);
    }

    /**
     * RFC 7143 11.7.1, 11.8.4: the F bit ends an R2T's sequence; here it comes after 4096 of the 8192
     * bytes asked for, and nothing more is sent for that R2T (later R2Ts are answered correctly).
     * Choice: at ErrorRecoveryLevel 0 the target cannot ask again (recovery R2Ts need ERL 1), but
     * RFC 7143 does not oblige it to detect the short sequence, so either is accepted: it ends the
     * command (never GOOD: Reject, CHECK CONDITION ABORTED COMMAND, close), or it keeps waiting; then
     * ABORT TASK must complete, the WRITE must never get a response, and nothing is written.
     */
    @Test
    void r2tSequenceEndedEarly() throws Exception {
        long lba = 1300;
        byte[] before = Blocks.prepare(server, LUN, lba, BLOCKS, 130);
        byte[] data = Scsi.random(EDTL, 131);
        try (RawSession raw = r2tSession("short-sequence")) {
            int writeCmdSn = raw.currentCmdSn();
            raw.send(write10(raw, ITT, lba, BLOCKS, true));
            R2t first = expectR2t(raw, ITT, 0, BURST);
            raw.send(dataOut(raw, ITT, first.ttt(), 0, 0, data, 0, 4096, true)); // F after half the burst
            Wire.Outcome o = awaitOutcome(raw, ITT, Duration.ofSeconds(3), data);
            if (o.kind() != Wire.Kind.NOTHING) {
                assertRefused(ITT, o);
            } else {
                raw.send(new TaskMgmtRequest(true, TaskMgmtRequest.ABORT_TASK, 0, ITT + 1, ITT, raw.currentCmdSn(),
                        raw.expStatSn(), writeCmdSn, 0));
                java.util.List<Pdu> seen = new java.util.ArrayList<>(Wire.collectUntil(raw,
                        p -> p instanceof TaskMgmtResponse, "response to ABORT TASK"));
                seen.addAll(Wire.ping(raw, ITT + 2));
                for (Pdu p : seen) {
                    assertThat(p instanceof ScsiResponsePdu r && r.itt() == ITT)
                            .as("the aborted WRITE must send no response: %s", Wire.describe(p)).isFalse();
                }
                TaskMgmtResponse tmf = (TaskMgmtResponse) seen.stream().filter(p -> p instanceof TaskMgmtResponse)
                        .findFirst().orElseThrow();
                assertThat(tmf.response()).as("ABORT TASK of the waiting WRITE").isEqualTo(TaskMgmtResponse.COMPLETE);
            }
        }
        Blocks.assertUnchanged(server, LUN, lba, before, data);
    }
}
