package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PERSISTENT RESERVE OUT PREEMPT AND ABORT aborts the preempted initiator's tasks (SPC-4
 * 5.12.11.2.6, SAM-5 5.6): initiator B holds a Write Exclusive reservation and has a WRITE waiting
 * for its data (R2T received, Data-Out not sent); initiator A preempts B's key and aborts. Each test
 * has its own server, so reservations and mode pages start from their defaults.
 */
@Timeout(60)
class PreemptAndAbortE2eTest extends OneRamLuE2e {
    static final long KEY_A = 0xAAAA;
    static final long KEY_B = 0xBBBB;
    static final int REGISTER = 0;
    static final int RESERVE = 1;
    static final int PREEMPT_AND_ABORT = 5;
    static final int WRITE_EXCLUSIVE = 1;
    static final int WRITE_ITT = 0x40;
    static final long LBA = 2000;
    static final int BLOCKS = 8;


    IscsiSession openA() throws Exception {
        IscsiSession a = Scsi.open(server.url(LUN), Scsi.options("iqn.2026-11.io.xtarget:pr-a")
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10)));
        Scsi.clearUnitAttentions(a, LUN);
        return a;
    }

    /** Initiator B's session and the R2T its WRITE got. */
    record B(RawSession raw, R2t r2t) implements AutoCloseable {
        @Override
        public void close() throws java.io.IOException {
            raw.close();
        }
    }

    /** B: REGISTER 0xBBBB, RESERVE Write Exclusive, then a WRITE that has its R2T and waits for data. */
    B bWithAWriteWaitingForData() throws Exception {
        RawSession b = Wire.login(server, "iqn.2026-11.io.xtarget:pr-b", Wire.r2tOnly(8192));
        try {
            ScsiResponsePdu reg = Wire.run(b, 0x30, Scsi.persistentReserveOut(REGISTER, 0), params(0, KEY_B));
            assertThat(reg.status()).as("B REGISTER: %s", Wire.describe(reg)).isEqualTo(Wire.GOOD);
            ScsiResponsePdu res = Wire.run(b, 0x31, Scsi.persistentReserveOut(RESERVE, WRITE_EXCLUSIVE),
                    params(KEY_B, 0));
            assertThat(res.status()).as("B RESERVE: %s", Wire.describe(res)).isEqualTo(Wire.GOOD);
            b.send(Wire.write10(b, WRITE_ITT, LBA, BLOCKS, true));
            return new B(b, Wire.expectR2t(b, WRITE_ITT, 0, BLOCKS * 512));
        } catch (Exception | Error e) {
            b.close();
            throw e;
        }
    }

    /** A: REGISTER 0xAAAA, then PREEMPT AND ABORT of B's key, which must be GOOD. */
    static void preemptAndAbort(IscsiSession a) throws Exception {
        assertThat(a.execute(LUN, Scsi.persistentReserveOut(REGISTER, 0), ByteBuffer.wrap(params(0, KEY_A)), 0)
                .status()).as("A REGISTER").isZero();
        CommandResult r = a.execute(LUN, Scsi.persistentReserveOut(PREEMPT_AND_ABORT, WRITE_EXCLUSIVE),
                ByteBuffer.wrap(params(KEY_A, KEY_B)), 0);
        assertThat(r.status()).as("A PREEMPT AND ABORT: %s", r).isZero();
    }

    static byte[] params(long key, long serviceActionKey) {
        return Scsi.prParameters(key, serviceActionKey).array();
    }

    /** The end of B's WRITE within {@code wait}, skipping Rejects (of a Data-Out for a task that is gone). */
    static Wire.Outcome writeOutcome(RawSession b, Duration wait) {
        Wire.Outcome o;
        do {
            o = Wire.awaitOutcome(b, WRITE_ITT, wait, null);
        } while (o.kind() == Wire.Kind.REJECT);
        return o;
    }

    @Test // SPC-4 5.12.11.2.6, SAM-5 5.6 (TAS=0): the preempted WRITE ends silently, B then sees UA 2Ah/05h
    void preemptAndAbortWithTas0AbortsTheWriteWithoutAResponse() throws Exception {
        byte[] before = Scsi.random(BLOCKS * 512, 1);
        byte[] data = Scsi.random(BLOCKS * 512, 2);
        Blocks.write(server, LUN, LBA, before);
        try (IscsiSession a = openA(); B writer = bWithAWriteWaitingForData()) {
            RawSession b = writer.raw();
            preemptAndAbort(a);
            Wire.answer(b, writer.r2t(), data); // B may still send the data it was asked for
            Wire.Outcome o = writeOutcome(b, Duration.ofSeconds(2));
            if (o.kind() != Wire.Kind.NOTHING) {
                fail("with TAS=0 the aborted WRITE must end without any response, got %s", o);
            }
            for (Pdu p : Wire.ping(b, 0x50)) {
                assertThat(p instanceof ScsiResponsePdu r && r.itt() == WRITE_ITT)
                        .as("response to the aborted WRITE: %s", Wire.describe(p)).isFalse();
            }
            List<String> uas = Wire.unitAttentions(b, 0x60);
            assertThat(uas).as("unit attentions of B's next commands").contains("6/2A/05");
        }
        Blocks.assertUnchanged(server, LUN, LBA, before, data);
    }

    @Test // SPC-4 5.12.11.2.6, SAM-5 5.6 (TAS=1): the preempted WRITE ends with status TASK ABORTED
    void preemptAndAbortWithTas1EndsTheWriteWithTaskAborted() throws Exception {
        byte[] before = Scsi.random(BLOCKS * 512, 3);
        byte[] data = Scsi.random(BLOCKS * 512, 4);
        Blocks.write(server, LUN, LBA, before);
        try (IscsiSession a = openA()) {
            setTas(a, true);
            try (B writer = bWithAWriteWaitingForData()) {
                RawSession b = writer.raw();
                preemptAndAbort(a);
                Wire.answer(b, writer.r2t(), data);
                Wire.Outcome o = writeOutcome(b, Wire.PROMPT);
                assertThat(o.kind()).as("end of the aborted WRITE: %s", o).isEqualTo(Wire.Kind.RESPONSE);
                assertThat(o.response().status()).as("TAS=1: status of the aborted WRITE: %s", o)
                        .isEqualTo(Wire.TASK_ABORTED);
                assertThat(Wire.unitAttentions(b, 0x60)).as("unit attentions of B's next commands")
                        .contains("6/2A/05");
            }
        }
        Blocks.assertUnchanged(server, LUN, LBA, before, data);
    }

    /** MODE SENSE(10) of the control mode page, then MODE SELECT(10) of it with only TAS (byte 5 bit 6) changed. */
    static void setTas(IscsiSession a, boolean tas) throws Exception {
        byte[] page = controlPage(a);
        page[0] &= 0x3F; // PS is reserved in MODE SELECT
        page[5] = (byte) (tas ? page[5] | 0x40 : page[5] & ~0x40);
        ByteBuffer list = ByteBuffer.allocate(8 + page.length).put(8, page);
        CommandResult r = a.execute(LUN, Scsi.modeSelect10(list.capacity()), list, 0);
        assertThat(r.status()).as("MODE SELECT(10) of the control mode page with TAS=%s: %s", tas, r).isZero();
        assertThat(controlPage(a)[5] & 0x40).as("TAS read back").isEqualTo(tas ? 0x40 : 0);
    }

    static byte[] controlPage(IscsiSession a) throws Exception {
        byte[] d = Scsi.good(a, LUN, Scsi.modeSense10(0x0A, 64), null, 64);
        int bdl = ((d[6] & 0xFF) << 8) | (d[7] & 0xFF);
        int off = 8 + bdl;
        assertThat(d[off] & 0x3F).as("control mode page").isEqualTo(0x0A);
        return java.util.Arrays.copyOfRange(d, off, off + 2 + (d[off + 1] & 0xFF));
    }
}
