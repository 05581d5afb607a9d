package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.Bhs;
import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Data-Out PDUs of a session's commands, once the {@link CommandScheduler} decided a command
 * may ask for or take its data: R2Ts out (with the session's Target Transfer Tags), each Data-Out
 * segment placed by its command's rules ({@link DataOutPlacement}), accepted data committed and the
 * command moved on (it starts once complete, else asks for more), a broken rule or a data digest
 * error failing the command.
 *
 * <p>Not thread-safe: guarded by the owning {@link CommandScheduler}'s lock, which also holds while
 * it calls the scheduler back.
 */
final class DataOutExchange {
    /** Logs as the scheduler, whose part it is. */
    private static final Logger log = LoggerFactory.getLogger(CommandScheduler.class);
    /** ABORTED COMMAND, PROTOCOL SERVICE CRC ERROR: a Data-Out of the command failed its digest. */
    static final Sense DATA_DIGEST_FAILED = new Sense(SenseKey.ABORTED_COMMAND, 0x47, 0x05);

    private final Session session;
    private final Outbox outbox;
    private final IntFunction<IscsiTask> live;
    private final Consumer<IscsiTask> tryStart;
    private final Consumer<IscsiTask> solicit;
    private final Consumer<IscsiTask> failed;
    private final DataOutPlacement placement = new DataOutPlacement();
    private int nextTtt = 1;

    /**
     * @param live the live command with an initiator task tag, or null
     * @param tryStart the command has all its data (or failed): it starts once it has its turn
     * @param solicit the command wants more of its data: R2Ts when its budget and turn allow
     * @param failed the command failed its Data-Out: it waits for budget no more, and ends
     */
    DataOutExchange(Session session, Outbox outbox, IntFunction<IscsiTask> live, Consumer<IscsiTask> tryStart,
            Consumer<IscsiTask> solicit, Consumer<IscsiTask> failed) {
        this.session = session;
        this.outbox = outbox;
        this.live = live;
        this.tryStart = tryStart;
        this.solicit = solicit;
        this.failed = failed;
    }

    /** Sends the R2Ts the command's Data-Out rules let it have outstanding now (its budget is taken). */
    void sendR2ts(IscsiTask t) {
        SessionParams p = session.params;
        for (DataOutCollector.Solicitation r : t.collector.solicit(p.maxOutstandingR2T(), p.maxBurstLength(),
                this::nextTtt)) {
            t.buffer();
            t.dataSn++;
            t.lastDataNanos = System.nanoTime();
            outbox.send(new R2t(t.pdu.lun(), t.itt, r.ttt(), 0, 0, 0, r.r2tSn(), r.offset(), r.length()),
                    Outbox.StatSn.CURRENT, null);
        }
    }

    private int nextTtt() {
        int ttt = nextTtt++;
        if (nextTtt == DataOutCollector.UNSOLICITED) {
            nextTtt = 1;
        }
        return ttt;
    }

    /**
     * A Data-Out header was read: where its data segment goes. Returns a slice of the command's
     * buffer at the PDU's offset when the rules accept it, else null (the data is discarded).
     */
    ByteBuffer place(Bhs h, int length) {
        IscsiTask t = live.apply(h.i32(16));
        return switch (placement.begin(t, h, length)) {
            case DataOutCollector.Accept a -> t.buffer().slice((int) a.offset(), a.length());
            case DataOutCollector.Fail f -> {
                fail(t, f.violation());
                yield null;
            }
            default -> null;
        };
    }

    /**
     * A Data-Out arrived whole. Returns the reason to answer it with a Reject PDU, or null.
     * Data for a command that does not exist (any more) is dropped silently (RFC 7143 11.7).
     */
    String arrived(DataOut d) {
        IscsiTask t = placement.task();
        DataOutCollector.Verdict v = placement.verdict();
        placement.end();
        if (t == null || t.itt != d.itt() || v == null) {
            if (t == null && live.apply(d.itt()) == null) {
                log.debug("{}: Data-Out for unknown task 0x{}", session, Integer.toHexString(d.itt()));
            }
            return null;
        }
        return switch (v) {
            case DataOutCollector.Accept a -> {
                t.collector.commit(d.ttt(), a.length(), d.fin());
                t.lastDataNanos = System.nanoTime();
                if (t.collector.complete()) {
                    tryStart.accept(t);
                } else {
                    solicit.accept(t);
                }
                yield null;
            }
            case DataOutCollector.Refuse r -> r.reason();
            default -> null;
        };
    }

    /** The Data-Out whose header was placed failed its data digest: its command fails. */
    void corrupt() {
        IscsiTask t = placement.task();
        boolean accepted = placement.verdict() instanceof DataOutCollector.Accept;
        placement.end();
        // Only data the rules had accepted fails its command: the command still waits for it, so
        // it cannot be running. Data that was to be dropped or refused anyway changes nothing.
        if (t != null && accepted) {
            fail(t, new DataOutCollector.Violation(DATA_DIGEST_FAILED, "Data-Out data digest error"));
        }
    }

    /** The command broke a Data-Out rule: it ends with CHECK CONDITION once it has its turn, never running. */
    private void fail(IscsiTask t, DataOutCollector.Violation v) {
        t.collector.fail(v);
        if (t.failure == null) {
            log.info("{}: task 0x{}: {}; failing it", session, Integer.toHexString(t.itt), v.reason());
            t.failure = new ScsiException(v.sense());
            failed.accept(t);
        }
    }

    /** Gives back an ended command's buffer: now, or when the segment being read into it ended. */
    void releaseBuffer(IscsiTask t) {
        placement.releaseBuffer(t);
    }

    /** The connection reads no more: a buffer held back for a segment goes back. */
    void end() {
        placement.end();
    }
}
