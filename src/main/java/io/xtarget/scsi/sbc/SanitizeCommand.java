package io.xtarget.scsi.sbc;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.SanitizeState;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * SANITIZE (SBC-4 5.30): OVERWRITE writes a pattern over every logical block (as many passes as
 * asked, optionally inverting between them), BLOCK ERASE deallocates every block through the
 * store's unmap (later reads return zeros, LBPRZ=1; VPD B1h reports WABEREQ=01b), EXIT FAILURE
 * MODE leaves the failure mode of an operation started with AUSE=1. CRYPTOGRAPHIC ERASE has no
 * row: no backstore encrypts, so the core answers INVALID FIELD IN CDB for it.
 *
 * <p>The operation runs on a thread of its own ({@link SanitizeState#start}) and holds one
 * bounded buffer, whatever the size of the LU. With IMMED=1 the command ends once the operation
 * has started; with IMMED=0 it waits for the end, and an abort ends only the wait: the operation
 * goes on (SBC-4 4.11.1). While it runs the core refuses other commands with SANITIZE IN
 * PROGRESS; reservations, write protection and unit attentions are the core's, from the row
 * ({@code MediumAccess.WRITE}).
 */
final class SanitizeCommand {
    /** Blocks deallocated per unmap call of BLOCK ERASE: progress and shutdown are checked between. */
    private static final long ERASE_STEP_BYTES = 1L << 30;
    /** How often an IMMED=0 command looks for an abort while it waits. */
    private static final long POLL_MILLIS = 50;

    private SanitizeCommand() {}

    static ScsiResult execute(ScsiTask task) throws ScsiException {
        Cdb cdb = task.cdb();
        requireReservedZero(cdb);
        boolean immed = cdb.bit(1, 7);
        boolean ause = cdb.bit(1, 5);
        int length = cdb.u16(7);
        LogicalUnit lu = task.lu();
        SanitizeState state = lu.sanitize();
        int sa = cdb.serviceAction();
        if (sa == SbcOpcodes.SA_EXIT_FAILURE_MODE) {
            requireNoParameters(length);
            if (!state.exitFailureMode()) {
                // restricted completion mode: only a sanitize that succeeds ends it (SBC-4 4.11.3)
                throw new ScsiException(Sense.invalidFieldInCdb(1, 4));
            }
            return ScsiResult.good();
        }
        if (ause && state.phase() == SanitizeState.Phase.FAILED && !state.unrestrictedExit()) {
            // a failure in restricted completion mode is left in restricted mode only
            throw new ScsiException(Sense.invalidFieldInCdb(1, 5));
        }
        SanitizeState.Work work = switch (sa) {
            case SbcOpcodes.SA_OVERWRITE -> overwrite(lu, OverwriteParameters.parse(task, length, lu.blockSize()));
            case SbcOpcodes.SA_BLOCK_ERASE -> {
                requireNoParameters(length);
                yield blockErase(lu);
            }
            default -> throw new ScsiException(Sense.invalidFieldInCdb(1, 4)); // not a row of the table
        };
        CompletableFuture<Void> done = state.start(lu.name(), ause, work);
        if (!immed) {
            awaitEnd(task, done);
        }
        return ScsiResult.good();
    }

    /** Byte 1 bit 6 and bytes 2 to 6 are reserved (SBC-4 5.30.1). */
    private static void requireReservedZero(Cdb cdb) throws ScsiException {
        if (cdb.bit(1, 6)) {
            throw new ScsiException(Sense.invalidFieldInCdb(1, 6));
        }
        for (int i = 2; i <= 6; i++) {
            if (cdb.u8(i) != 0) {
                throw new ScsiException(Sense.invalidFieldInCdb(i, -1));
            }
        }
    }

    /** BLOCK ERASE, CRYPTOGRAPHIC ERASE and EXIT FAILURE MODE take no parameter list. */
    private static void requireNoParameters(int length) throws ScsiException {
        if (length != 0) {
            throw new ScsiException(Sense.invalidFieldInCdb(7, -1));
        }
    }

    /**
     * Waits for the operation of an IMMED=0 command. The command reports how it ended: GOOD, or
     * MEDIUM ERROR / SANITIZE COMMAND FAILED; an abort ends the wait, not the operation.
     */
    private static void awaitEnd(ScsiTask task, CompletableFuture<Void> done) throws ScsiException {
        while (true) {
            if (task.isAborted()) {
                throw new ScsiException(ScsiStatus.TASK_ABORTED, null);
            }
            try {
                done.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                // look for an abort again
            } catch (ExecutionException e) {
                throw new ScsiException(Sense.sanitizeFailed());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ScsiException(ScsiStatus.TASK_ABORTED, null);
            }
        }
    }

    /**
     * Every pass writes the pass's block (the pattern repeated) to every LBA, one bounded chunk at
     * a time, then the cache is flushed so the old data is gone from the medium too.
     */
    static SanitizeState.Work overwrite(LogicalUnit lu, OverwriteParameters p) {
        return progress -> {
            int bs = lu.blockSize();
            long blocks = lu.blockCount();
            int chunkBlocks = (int) Math.min(blocks, Math.max(1, MediumReader.CHUNK_BYTES / bs));
            ByteBuffer chunk = ByteBuffer.allocateDirect(chunkBlocks * bs);
            long total = blocks * p.passes();
            for (int pass = 0; pass < p.passes(); pass++) {
                byte[] block = p.blockOfPass(pass, bs);
                for (int i = 0; i < chunkBlocks; i++) {
                    chunk.put(i * bs, block);
                }
                for (long lba = 0; lba < blocks; ) {
                    stopWhenInterrupted();
                    int n = (int) Math.min(chunkBlocks, blocks - lba);
                    chunk.clear().limit(n * bs);
                    lu.write(lba, chunk, false);
                    lba += n;
                    progress.report(pass * blocks + lba, total);
                }
            }
            lu.flush();
        };
    }

    /** Deallocates every LBA (SBC-4 4.11.2 block erase), a bounded range per call, then flushes. */
    static SanitizeState.Work blockErase(LogicalUnit lu) {
        return progress -> {
            long blocks = lu.blockCount();
            long step = Math.max(1, ERASE_STEP_BYTES / lu.blockSize());
            for (long lba = 0; lba < blocks; ) {
                stopWhenInterrupted();
                long n = Math.min(step, blocks - lba);
                lu.unmap(lba, n);
                lba += n;
                progress.report(lba, blocks);
            }
            lu.flush();
        };
    }

    private static void stopWhenInterrupted() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("sanitize stopped");
        }
    }
}
