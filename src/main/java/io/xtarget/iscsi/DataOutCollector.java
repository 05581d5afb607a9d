package io.xtarget.iscsi;

import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The Data-Out rules of one write command (RFC 7143 11.7, 11.8, 13.19): immediate data, one
 * unsolicited burst (TTT FFFFFFFFh) of at most FirstBurstLength, then the target's R2Ts, each at
 * most MaxBurstLength, at most MaxOutstandingR2T at a time. The target always negotiates
 * DataPDUInOrder=Yes and DataSequenceInOrder=Yes, so the data of a command arrives as one
 * growing prefix: each PDU must start exactly where the accepted data ends, in its sequence's
 * DataSN order. A byte range is accepted once; a gap, an overlay, data beyond what was asked
 * for, an unknown transfer tag or a DataSN out of order is a {@link Violation}, after which
 * nothing more is accepted for the command and it must end with CHECK CONDITION.
 *
 * <p>No socket and no buffer here: {@link #check} decides where a PDU's data may land before it
 * is read, {@link #commit} accepts it once it arrived intact. Only {@link #received()} bytes,
 * a prefix, ever count as data of the command.
 *
 * <p>Two leniencies, both harmless to the data: a sequence that reaches its R2T's end (or the
 * unsolicited burst's) without the F bit counts as ended, and an unsolicited burst ended early by
 * the F bit is followed by R2Ts for the rest instead of failing the command.
 */
final class DataOutCollector {
    static final int UNSOLICITED = 0xFFFFFFFF;

    /** Why a Data-Out cannot be accepted: the sense the command ends with, and a line for the log. */
    record Violation(Sense sense, String reason) {}

    /** What to do with a Data-Out whose header was checked. */
    sealed interface Verdict permits Accept, Refuse, Drop, Fail {}

    /** Place the data at {@code offset} of the command's buffer, then {@link #commit}. */
    record Accept(long offset, int length) implements Verdict {}

    /** Not part of any transfer of this command (e.g. data after all of it arrived): answer with a Reject PDU. */
    record Refuse(String reason) implements Verdict {}

    /** The command already failed: drop the data silently. */
    record Drop() implements Verdict {}

    /** The PDU breaks a rule: the command fails with this violation. */
    record Fail(Violation violation) implements Verdict {}

    /** An R2T to send: target transfer tag, R2TSN, buffer offset, desired length. */
    record Solicitation(int ttt, int r2tSn, long offset, long length) {}

    /** An outstanding R2T and how far its sequence got. */
    private static final class Sequence {
        final Solicitation r2t;
        int nextDataSn;

        Sequence(Solicitation r2t) {
            this.r2t = r2t;
        }

        long end() {
            return r2t.offset() + r2t.length();
        }
    }

    private static final Sense UNEXPECTED_UNSOLICITED = new Sense(SenseKey.ABORTED_COMMAND, 0x0C, 0x0C);
    private static final Sense DATA_PHASE_ERROR = new Sense(SenseKey.ABORTED_COMMAND, 0x4B, 0x00);
    private static final Sense INVALID_TTT = new Sense(SenseKey.ABORTED_COMMAND, 0x4B, 0x01);
    private static final Sense TOO_MUCH_WRITE_DATA = new Sense(SenseKey.ABORTED_COMMAND, 0x4B, 0x02);
    private static final Sense DATA_OFFSET_ERROR = new Sense(SenseKey.ABORTED_COMMAND, 0x4B, 0x05);

    private final long expected;
    /** Where the unsolicited burst must end: min(FirstBurstLength, expected length). */
    private final long unsolicitedEnd;
    private final ArrayDeque<Sequence> outstanding = new ArrayDeque<>(2);
    private long received;
    private boolean unsolicitedOpen;
    private int unsolicitedDataSn;
    private long nextR2tOffset;
    private int nextR2tSn;
    private Violation failure;

    /**
     * @param expected the command's expected data transfer length, bytes
     * @param immediate bytes of immediate data that came with the command (already checked
     *     against ImmediateData, FirstBurstLength and {@code expected} by the caller)
     * @param unsolicitedAllowed InitialR2T=No and the command PDU's F bit clear: an unsolicited
     *     burst of Data-Out PDUs may follow
     * @param firstBurstLength the negotiated FirstBurstLength
     */
    DataOutCollector(long expected, int immediate, boolean unsolicitedAllowed, int firstBurstLength) {
        this.expected = expected;
        this.received = immediate;
        this.unsolicitedEnd = Math.min(firstBurstLength, expected);
        this.unsolicitedOpen = unsolicitedAllowed && received < unsolicitedEnd;
        this.nextR2tOffset = received;
    }

    /** Bytes accepted so far: always the prefix [0, received) of the transfer. */
    long received() {
        return received;
    }

    boolean complete() {
        return failure == null && received == expected;
    }

    /** The violation that failed the command, or null. */
    Violation failure() {
        return failure;
    }

    /** Whether the target still waits for Data-Out it solicited (an R2T is outstanding). */
    boolean awaitingSolicited() {
        return failure == null && !outstanding.isEmpty();
    }

    /** Fails the command from outside (e.g. a data digest error on one of its PDUs). */
    void fail(Violation v) {
        if (failure == null) {
            failure = v;
            outstanding.clear();
        }
    }

    /**
     * Checks a Data-Out header before its data segment is read.
     *
     * @param ttt target transfer tag (FFFFFFFFh: unsolicited)
     * @param dataSn the PDU's DataSN
     * @param offset the PDU's buffer offset
     * @param length its data segment length
     * @param fin its F bit
     */
    Verdict check(int ttt, int dataSn, long offset, int length, boolean fin) {
        if (failure != null) {
            return new Drop();
        }
        if (received == expected && outstanding.isEmpty()) {
            return new Refuse("Data-Out after all data of the command arrived");
        }
        if (ttt == UNSOLICITED) {
            if (!unsolicitedOpen) {
                return violate(UNEXPECTED_UNSOLICITED, "unsolicited Data-Out not allowed now");
            }
            if (dataSn != unsolicitedDataSn) {
                return violate(DATA_PHASE_ERROR, "unsolicited DataSN " + dataSn + ", expected " + unsolicitedDataSn);
            }
            if (offset != received) {
                return violate(DATA_OFFSET_ERROR, "unsolicited data at offset " + offset + ", expected " + received);
            }
            if (offset + length > expected) {
                return violate(TOO_MUCH_WRITE_DATA, "unsolicited data beyond the expected length " + expected);
            }
            if (offset + length > unsolicitedEnd) {
                return violate(UNEXPECTED_UNSOLICITED, "unsolicited data beyond FirstBurstLength");
            }
            return new Accept(offset, length);
        }
        Sequence s = outstanding.peekFirst();
        if (s == null || s.r2t.ttt() != ttt) {
            boolean known = outstanding.stream().anyMatch(q -> q.r2t.ttt() == ttt);
            return known ? violate(DATA_OFFSET_ERROR, "data for a later R2T before the earlier one completed")
                    : violate(INVALID_TTT, "unknown target transfer tag 0x" + Integer.toHexString(ttt));
        }
        if (dataSn != s.nextDataSn) {
            return violate(DATA_PHASE_ERROR, "DataSN " + dataSn + ", expected " + s.nextDataSn);
        }
        if (offset != received) {
            return violate(DATA_OFFSET_ERROR, "data at offset " + offset + ", expected " + received);
        }
        if (offset + length > s.end()) {
            return violate(TOO_MUCH_WRITE_DATA, "data beyond the R2T's range ending at " + s.end());
        }
        if (fin && offset + length < s.end()) {
            return violate(DATA_PHASE_ERROR, "sequence ended at " + (offset + length) + " before the R2T's end "
                    + s.end());
        }
        return new Accept(offset, length);
    }

    private Fail violate(Sense sense, String reason) {
        fail(new Violation(sense, reason));
        return new Fail(failure);
    }

    /** The data of a PDU that {@link #check} accepted arrived intact. */
    void commit(int ttt, int length, boolean fin) {
        if (failure != null) {
            return;
        }
        received += length;
        if (ttt == UNSOLICITED) {
            unsolicitedDataSn++;
            if (fin || received >= unsolicitedEnd) {
                // The unsolicited burst is over (an early F bit only means less of it): R2Ts ask for the rest.
                unsolicitedOpen = false;
                nextR2tOffset = received;
            }
            return;
        }
        Sequence s = outstanding.peekFirst();
        s.nextDataSn++;
        if (received == s.end()) {
            outstanding.pollFirst();
        }
    }

    /**
     * The R2Ts to send now: while fewer than {@code maxOutstanding} are outstanding and data is
     * missing, one per at most {@code maxBurst} bytes, in offset order. None while the
     * unsolicited burst may still arrive or after a violation.
     */
    List<Solicitation> solicit(int maxOutstanding, int maxBurst, IntSupplier ttts) {
        if (failure != null || unsolicitedOpen || nextR2tOffset >= expected || outstanding.size() >= maxOutstanding) {
            return List.of();
        }
        List<Solicitation> out = new ArrayList<>(1);
        while (outstanding.size() < maxOutstanding && nextR2tOffset < expected) {
            long len = Math.min(maxBurst, expected - nextR2tOffset);
            Solicitation r = new Solicitation(ttts.getAsInt(), nextR2tSn++, nextR2tOffset, len);
            nextR2tOffset += len;
            outstanding.addLast(new Sequence(r));
            out.add(r);
        }
        return out;
    }

    /** Target transfer tags of the outstanding R2Ts (to forget them when the command ends). */
    List<Integer> outstandingTags() {
        List<Integer> out = new ArrayList<>(outstanding.size());
        for (Sequence s : outstanding) {
            out.add(s.r2t.ttt());
        }
        return out;
    }
}
