package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.iscsi.pdu.PduCodec;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import io.xtarget.scsi.BufferPool;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A WRITE aborted by another session (LUN RESET, SAM-5 6.3.3) while its initiator is in the
 * middle of one Data-Out data segment: the connection keeps reading the rest of that segment
 * into the command's buffer. That buffer must not go back to the pool (and to another
 * command) before the segment ended, or the aborted initiator's bytes land in someone else's
 * data: here, in another session's WRITE, which then ends GOOD with foreign data on the medium.
 */
@Timeout(60)
class AbortMidSegmentE2eTest extends OneRamLuE2e {
    static final int SIZE = 512 * 1024; // one pooled size class: 512 KiB
    static final int SEGMENT = 256 * 1024; // the target's MaxRecvDataSegmentLength


    /** Empties the pool's 512 KiB class, so the next buffer given back there is the next one taken. */
    static List<ByteBuffer> drainPoolClass() {
        List<ByteBuffer> held = new ArrayList<>();
        while (true) {
            long before = BufferPool.SHARED.keptBytes();
            ByteBuffer b = BufferPool.SHARED.take(SIZE);
            if (BufferPool.SHARED.keptBytes() == before) {
                return held; // freshly allocated: the class is empty now (b is simply dropped)
            }
            held.add(b);
        }
    }

    @Test
    void bytesOfASegmentStillArrivingAfterAnAbortNeverReachAnotherCommandsBuffer() throws Exception {
        long lbaA = 0;
        long lbaB = 4096;
        byte[] dataB = Scsi.random(SIZE, 77);
        List<ByteBuffer> held = drainPoolClass();
        try (RawSession a = Wire.login(server, "iqn.2026-11.io.xtarget:uaf-a", Wire.r2tOnly(SIZE));
                RawSession b = Wire.login(server, "iqn.2026-11.io.xtarget:uaf-b", Wire.r2tOnly(SEGMENT))) {
            // A: WRITE 512 KiB, one R2T for all of it; one Data-Out of 256 KiB of which only half is sent.
            a.send(Wire.write10(a, 0xA1, lbaA, SIZE / 512, true));
            R2t r2tA = Wire.expectR2t(a, 0xA1, 0, SIZE);
            byte[] aBytes = new byte[SEGMENT];
            Arrays.fill(aBytes, (byte) 0x11);
            DataOut d = new DataOut(false, 0, 0xA1, r2tA.ttt(), a.expStatSn(), 0, 0, ByteBuffer.wrap(aBytes));
            a.sendBytes(ByteBuffer.wrap(PduCodec.header(d)));
            a.sendBytes(ByteBuffer.wrap(aBytes, 0, SEGMENT / 2));
            Thread.sleep(200); // the target has read the header and placed the segment

            // B resets the LU: A's WRITE is aborted while A is in the middle of its segment.
            b.send(new TaskMgmtRequest(true, TaskMgmtRequest.LOGICAL_UNIT_RESET, 0, 0xB0, -1, b.currentCmdSn(),
                    b.expStatSn(), b.currentCmdSn(), 0));
            TaskMgmtResponse tmf = b.readUntil(TaskMgmtResponse.class);
            assertThat(tmf.response()).isEqualTo(TaskMgmtResponse.COMPLETE);
            b.clearUnitAttentions();

            // B: WRITE 512 KiB in two bursts of 256 KiB; the first is sent whole.
            b.send(Wire.write10(b, 0xB1, lbaB, SIZE / 512, true));
            R2t first = Wire.expectR2t(b, 0xB1, 0, SEGMENT);
            Wire.answer(b, first, dataB);
            R2t second = Wire.expectR2t(b, 0xB1, SEGMENT, SEGMENT);

            // A finishes its segment (the target reads it somewhere), then pings to be sure it was read.
            a.sendBytes(ByteBuffer.wrap(aBytes, SEGMENT / 2, SEGMENT / 2));
            Wire.ping(a, 0xA2);

            Wire.answer(b, second, dataB);
            ScsiResponsePdu rb = b.readUntil(ScsiResponsePdu.class);
            assertThat(rb.itt()).isEqualTo(0xB1);
            assertThat(rb.status()).as("B's WRITE: %s", Wire.describe(rb)).isEqualTo(Wire.GOOD);
        }
        held.forEach(BufferPool.SHARED::give);
        byte[] now = Blocks.read(server, LUN, lbaB, SIZE);
        int firstBad = -1;
        for (int i = 0; i < SIZE; i++) {
            if (now[i] != dataB[i]) {
                firstBad = i;
                break;
            }
        }
        assertThat(firstBad).as("B's WRITE ended GOOD, so its blocks hold B's data; first wrong byte at %d is 0x%02x"
                + " (A's aborted Data-Out is 0x11)", firstBad, firstBad < 0 ? 0 : now[firstBad]).isEqualTo(-1);
    }
}
