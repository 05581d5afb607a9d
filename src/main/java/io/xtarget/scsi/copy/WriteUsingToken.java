package io.xtarget.scsi.copy;

import io.xtarget.scsi.AccessCheck;
import io.xtarget.scsi.IoErrorSense;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.MediumAccess;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WRITE USING TOKEN (SBC-3 5.x, 83h/11h): writes the data a ROD token represents, from OFFSET
 * INTO ROD (in logical blocks of this LU), to the block device range descriptors of the LU that
 * received it; or zeros, for the block device zero ROD token (ROD type FFFF0001h).
 *
 * <p>The row is {@link MediumAccess#WRITE}, so the core has already checked the destination as for
 * a WRITE: reservations, a read-only mapping (DATA PROTECT / WRITE PROTECTED), software write
 * protection, medium, sanitize. The source is checked here as EXTENDED COPY checks a source CSCD
 * ({@link CopyTargets}): the initiator must reach the token's source LU under the receiving
 * target's copy policy, else the token is TOKEN UNKNOWN, indistinguishable from one never made, and
 * nothing is written. Data moves through the copy engine and the LU data path (locks, health,
 * provisioning) like EXTENDED COPY's.
 *
 * <p>IMMED=0 finishes before status; IMMED=1 returns GOOD once the parameter list, the token and
 * both LUs are validated, and RECEIVE ROD TOKEN INFORMATION / RECEIVE COPY STATUS(LID4) report
 * progress. A synchronous copy that would run past {@link TokenLimits#foregroundBudget}, a copy
 * that fails or is aborted part-way, and a ROD shorter than the destination ranges all end with
 * COPY ABORTED / COPY TARGET DEVICE DATA UNDERRUN and the logical blocks written (contiguous from
 * the first range) in INFORMATION, so the host continues from there.
 *
 * <p>Time guarantee of IMMED=0 (Windows allows a synchronous offload command 4 s): the data moves
 * in pieces sized by a {@link CopyPace} over the budget, which starts no piece the rate measured
 * in this command says would not finish in time. On a source and destination that together move
 * at least 64 KiB/s at a steady rate, a synchronous WRITE USING TOKEN answers within the budget
 * plus 0.25 s (2.75 s with {@link TokenLimits#DEFAULT}), counted from when its data has arrived,
 * having written as much as fitted; see {@link CopyPace} for what a falling rate may add.
 */
final class WriteUsingToken {
    private static final Logger log = LoggerFactory.getLogger(WriteUsingToken.class);
    static final int SA = 0x11;
    /** Bytes before the first block device range descriptor. */
    static final int HEADER = 536;
    private static final int RANGE_LENGTH_FIELD = 534;
    private static final int TOKEN_AT = 16;

    private final TokenContext ctx;

    WriteUsingToken(TokenContext ctx) {
        this.ctx = ctx;
    }

    /** The parsed parameter list. */
    private record Request(boolean immediate, boolean deleteToken, long offsetIntoRod, byte[] token,
            RangeDescriptors ranges) {}

    ScsiResult execute(ScsiTask task) throws ScsiException {
        LogicalUnit dst = task.lu();
        Request req = parse(task);
        // the budget of a synchronous command counts from here: its data has arrived
        CopyPace pace = req.immediate() ? CopyPace.UNLIMITED : CopyPace.within(ctx.limits().foregroundBudget());
        req.ranges().check(dst);
        long listId = task.cdb().u32(6);
        TokenOperation op = ctx.operations().begin(task.nexus(), SA, listId, req.immediate());
        RodToken token = null;
        Job job;
        try {
            token = resolve(task, req);
            long destBytes = req.ranges().totalBlocks() * dst.blockSize();
            long offset = req.offsetIntoRod();
            boolean pastRod = token != null && (offset < 0 || offset > Long.MAX_VALUE / dst.blockSize()
                    || offset * dst.blockSize() >= token.bytesRepresented());
            if (pastRod && destBytes > 0) {
                throw new ScsiException(Sense.invalidFieldInParameterList(8, -1)); // OFFSET INTO ROD past the ROD
            }
            long rodOffset = pastRod ? 0 : offset * dst.blockSize();
            long available = token == null ? destBytes : Math.max(0, token.bytesRepresented() - rodOffset);
            if (!ctx.concurrent().tryAcquire()) {
                throw new ScsiException(CopySense.insufficientResources());
            }
            long length = Math.min(destBytes, available / dst.blockSize() * dst.blockSize());
            job = new Job(task.nexus(), op, token, req, dst, rodOffset, destBytes, length);
        } catch (ScsiException e) {
            if (token != null) {
                ctx.tokens().release(token, false);
            }
            op.fail(e.status(), e.sense(), ctx.operations().now());
            throw e;
        }
        // From here the job owns the concurrency permit and the token use, and ends the operation.
        if (req.immediate()) {
            Thread.ofVirtual().name("write-using-token-" + Long.toHexString(listId)).start(() -> {
                try {
                    job.run(() -> false, CopyPace.UNLIMITED);
                } catch (ScsiException e) {
                    // recorded in the operation; RECEIVE ROD TOKEN INFORMATION reports it
                }
            });
            return ScsiResult.good();
        }
        return job.run(task::isAborted, pace);
    }

    private Request parse(ScsiTask task) throws ScsiException {
        TokenListHeader h = TokenListHeader.read(task, HEADER, RANGE_LENGTH_FIELD);
        ByteBuffer p = h.list();
        int flags = h.flags();
        int rangeLength = h.rangeLength();
        byte[] token = new byte[TokenLimits.TOKEN_BYTES];
        p.get(TOKEN_AT, token);
        RangeDescriptors ranges = RangeDescriptors.parse(p, HEADER, rangeLength, RANGE_LENGTH_FIELD, ctx.limits());
        return new Request((flags & 0x01) != 0, (flags & 0x02) != 0, p.getLong(8), token, ranges);
    }

    /** The live token and a readable source, or null for the zero ROD token; else the refusal. */
    private RodToken resolve(ScsiTask task, Request req) throws ScsiException {
        ByteBuffer t = ByteBuffer.wrap(req.token());
        int type = t.getInt(0);
        if (type != TokenLimits.ROD_TYPE_ACCESS_UPON_REFERENCE && type != TokenLimits.ROD_TYPE_BLOCK_ZERO) {
            throw new ScsiException(TokenSense.unsupportedTokenType());
        }
        if ((t.getShort(6) & 0xFFFF) != TokenLimits.ROD_TOKEN_LENGTH) {
            throw new ScsiException(TokenSense.invalidTokenLength());
        }
        if (type == TokenLimits.ROD_TYPE_BLOCK_ZERO) {
            return null;
        }
        RodToken token = ctx.tokens().acquire(req.token());
        try {
            LunMapping source = CopyTargets.of(task).reach(token.source());
            if (source == null) {
                throw new ScsiException(TokenSense.tokenUnknown());
            }
            // What a READ of the source from this nexus would get (the core's one access check):
            // another nexus's reservation is RESERVATION CONFLICT; not ready, ejected, missing or
            // being sanitized is COPY TARGET DEVICE NOT REACHABLE
            AccessCheck.Denial d = AccessCheck.check(task.nexus(), source, AccessCheck.Request.COPY_READ);
            if (d != null) {
                throw d.refusal() == AccessCheck.Refusal.RESERVATION_CONFLICT ? ScsiException.reservationConflict()
                        : new ScsiException(TokenSense.sourceNotReachable());
            }
            return token;
        } catch (ScsiException e) {
            ctx.tokens().release(token, false);
            throw e;
        }
    }

    /** One validated WRITE USING TOKEN, run on the command's thread or, with IMMED=1, on its own. */
    private final class Job {
        private final Nexus nexus;
        private final TokenOperation op;
        private final RodToken token;
        private final Request req;
        private final LogicalUnit dst;
        private final long rodOffset;
        private final long destBytes;
        private final long length;

        Job(Nexus nexus, TokenOperation op, RodToken token, Request req, LogicalUnit dst, long rodOffset,
                long destBytes, long length) {
            this.nexus = nexus;
            this.op = op;
            this.token = token;
            this.req = req;
            this.dst = dst;
            this.rodOffset = rodOffset;
            this.destBytes = destBytes;
            this.length = length;
        }

        /**
         * Moves the data; returns GOOD or throws the CHECK CONDITION the command ends with.
         *
         * @param pace the time budget ({@link CopyPace#UNLIMITED} for IMMED=1)
         */
        ScsiResult run(BooleanSupplier taskAborted, CopyPace pace) throws ScsiException {
            long start = System.nanoTime();
            int bs = dst.blockSize();
            BooleanSupplier stop = () -> op.abortRequested() || taskAborted.getAsBoolean();
            TokenTransfer x = new TokenTransfer(ctx.engine(), stop, pace);
            String outcome;
            Sense failure = null;
            ScsiStatus status = ScsiStatus.CHECK_CONDITION;
            try {
                if (token == null) {
                    x.zero(dst, req.ranges().ranges());
                } else {
                    x.run(TokenTransfer.plan(token, rodOffset, dst, req.ranges().ranges(), length));
                }
                op.blocks(x.done() / bs);
                if (x.done() < destBytes) {
                    failure = TokenSense.dataUnderrun(x.done() / bs);
                    outcome = "ROD shorter than the ranges: underrun";
                } else {
                    outcome = "done";
                }
            } catch (TokenTransfer.Stopped e) {
                op.blocks(x.done() / bs);
                if (taskAborted.getAsBoolean()) {
                    status = ScsiStatus.TASK_ABORTED;
                    outcome = "task aborted";
                } else {
                    failure = TokenSense.dataUnderrun(x.done() / bs);
                    outcome = op.abortRequested() ? "terminated by COPY OPERATION ABORT"
                            : ctx.engine().isClosed() ? "stopped by shutdown" : "stopped at the time budget";
                }
            } catch (IOException e) {
                op.blocks(x.done() / bs);
                // Blocks written before the error are reported so the host continues from there (and
                // meets the error itself next time); with none, the error is what the data path says.
                failure = x.done() >= bs ? TokenSense.dataUnderrun(x.done() / bs)
                        : IoErrorSense.of(e, MediumAccess.WRITE);
                outcome = "failed: " + e;
            } finally {
                ctx.concurrent().release();
                if (token != null) {
                    ctx.tokens().release(token, req.deleteToken());
                }
            }
            account(x, start, outcome);
            if (failure == null && status != ScsiStatus.TASK_ABORTED) {
                boolean partialRod = token != null && token.bytesRepresented() - rodOffset > destBytes;
                op.succeed(partialRod ? TokenOperation.COMPLETED_PARTIAL_ROD : TokenOperation.COMPLETED, null,
                        ctx.operations().now());
                return ScsiResult.good();
            }
            op.fail(status, failure, ctx.operations().now());
            throw new ScsiException(status, failure);
        }

        private void account(TokenTransfer x, long startNanos, String outcome) {
            long bytes = x.done();
            if (token != null) {
                ctx.stats().tokenUsed();
                ctx.stats().tokenBytes(bytes, 0);
            } else {
                ctx.stats().tokenBytes(0, bytes);
            }
            long nanos = Math.max(1, System.nanoTime() - startNanos);
            double mibPerSec = bytes / (1024.0 * 1024.0) / (nanos / 1e9);
            log.info("WRITE USING TOKEN list {} from {}{}: {} -> {}, {} bytes in {} ms ({} MiB/s, {} via fast path), {}",
                    op.listId(), nexus, req.immediate() ? " (IMMED)" : "",
                    token == null ? "zero ROD token" : token.source().name(), dst.name(), bytes, nanos / 1_000_000,
                    String.format("%.1f", mibPerSec), x.fastPathBytes(), outcome);
        }
    }
}
