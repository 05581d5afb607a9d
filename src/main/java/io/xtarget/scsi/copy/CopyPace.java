package io.xtarget.scsi.copy;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How much work one copy command may start next: the size of each piece the copy engine moves
 * (one read and one write), chosen from the time left and the rate the command has measured, so
 * that a command with a time budget ends inside it however slow its stores are.
 *
 * <p>{@link #UNLIMITED} (no budget: EXTENDED COPY, WRITE USING TOKEN with IMMED=1) hands out
 * pieces of the size asked for. A budgeted pace measures the rate of this command alone: bytes of
 * finished pieces divided by the time since the command began. Until a piece has finished, each
 * caller gets {@link #FIRST_PIECE_BYTES}. After that a piece is at most what the measured rate
 * moves in {@link #ROUND_NANOS} shared by the callers running side by side, and at most what can
 * finish before the deadline behind the pieces already in flight ((in flight + piece) / rate);
 * when not even one aligned unit fits, the answer is 0: start nothing more.
 *
 * <p>Guarantee (for {@link WriteUsingToken}'s budget): on stores that together move at least
 * {@link #GUARANTEED_BYTES_PER_SECOND} (64 KiB/s) at a steady rate, work handed out by a budgeted
 * pace has finished by the deadline plus {@link #OVERRUN_NANOS} (0.25 s, for scheduling and the
 * store's own jitter): the first pieces (at most {@link #MAX_LANES} x 16 KiB = 64 KiB) take at
 * most 1 s at that rate, and the measured rate never exceeds a steady store's true rate, so a
 * piece expected to finish before the deadline does. If the rate falls by a factor k during the
 * command, the pieces in flight may run up to about k x 0.2 s past the deadline; a store that
 * stops answering cannot be bounded by anyone but its own timeouts.
 *
 * <p>Thread-safe; {@link #claim} and {@link #finished} pair up for every piece.
 */
final class CopyPace {
    /** Size of each caller's first piece, before the command has measured any rate. */
    static final long FIRST_PIECE_BYTES = 16 << 10;
    /** Time one round of pieces (one per caller running side by side) should take at the measured rate. */
    static final long ROUND_NANOS = 200_000_000L;
    /** Most callers moving pieces side by side under one pace (the engine's lanes). */
    static final int MAX_LANES = CopyEngine.LANES_PER_COPY;
    /** The slowest steady rate the guarantee covers, in bytes per second. */
    static final long GUARANTEED_BYTES_PER_SECOND = 64 << 10;
    /** How far past the deadline the guarantee allows the last pieces to finish. */
    static final long OVERRUN_NANOS = 250_000_000L;

    /** Hands out every piece at the size asked for; never stops a copy. */
    static final CopyPace UNLIMITED = new CopyPace(null, 0, () -> 0);

    private final LongSupplier clock;
    private final boolean limited;
    private final long start;
    private final long deadline;
    private long completed;
    private long inFlight;

    private CopyPace(Duration budget, long start, LongSupplier clock) {
        this.clock = clock;
        this.limited = budget != null;
        this.start = start;
        this.deadline = budget == null ? Long.MAX_VALUE : start + budget.toNanos();
    }

    /** A pace whose work must be done {@code budget} from now (System.nanoTime). */
    static CopyPace within(Duration budget) {
        return within(budget, System::nanoTime);
    }

    /** For tests: the same on a clock of nanoseconds the test moves. */
    static CopyPace within(Duration budget, LongSupplier nanoClock) {
        return new CopyPace(budget, nanoClock.getAsLong(), nanoClock);
    }

    boolean limited() {
        return limited;
    }

    /**
     * Bytes the caller may move in its next piece.
     *
     * @param max bytes the caller has left in its current run (the most it wants), > 0
     * @param align the piece is a multiple of this many bytes unless it is {@code max} (a power of two, > 0)
     * @param lanes callers moving pieces side by side under this pace now, 1..{@link #MAX_LANES}
     * @return 0 (start nothing: it would not finish in time), or 1..{@code max} bytes, to be
     *     reported back through {@link #finished} once the piece is done or failed
     */
    synchronized long claim(long max, int align, int lanes) {
        if (!limited) {
            return max;
        }
        long now = clock.getAsLong();
        long remaining = deadline - now;
        if (remaining <= 0) {
            return 0;
        }
        long piece;
        if (completed == 0) {
            piece = FIRST_PIECE_BYTES;
        } else {
            double perNano = (double) completed / Math.max(1, now - start);
            double round = perNano * ROUND_NANOS / Math.max(1, lanes);
            double fits = perNano * remaining - inFlight;
            piece = (long) Math.min(round, fits);
        }
        if (piece >= max) {
            piece = max;
        } else {
            piece -= piece % align;
        }
        if (piece <= 0) {
            return 0;
        }
        inFlight += piece;
        return piece;
    }

    /** A claimed piece ended: {@code moved} of its {@code claimed} bytes went through (0 for a failure). */
    synchronized void finished(long claimed, long moved) {
        if (!limited) {
            return;
        }
        inFlight -= claimed;
        completed += Math.max(0, moved);
    }

    /** True once the deadline has passed. */
    boolean expired() {
        return limited && clock.getAsLong() - deadline >= 0;
    }
}
