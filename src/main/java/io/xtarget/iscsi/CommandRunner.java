package io.xtarget.iscsi;

import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a connection's commands run. A quick command (its opcode row is QUICK and its LU's store
 * answers at memory speed) started on the connection's own thread runs there, after the PDUs
 * already read are dispatched, so one wake-up of that thread serves the command from request
 * to response. A startable one (a READ or WRITE whose store starts I/O, such as librbd's aio)
 * is started there too and answered from the store's completion ({@link ScsiCore#start}): no
 * thread waits for it, and no worker is woken twice per command. Every other command, and a
 * startable one the store cannot start at once, runs on the server's workers, which send the
 * response themselves (the {@link Outbox} never blocks them).
 */
final class CommandRunner implements CommandScheduler.Runner {
    private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);

    private final Connection connection;
    private final ScsiCore core;
    private final Executor workers;
    private final ResponseWriter responses;
    private final ArrayDeque<IscsiTask> inline = new ArrayDeque<>();
    private CommandScheduler scheduler;

    CommandRunner(Connection connection, ScsiCore core, Executor workers, ResponseWriter responses) {
        this.connection = connection;
        this.core = core;
        this.workers = workers;
        this.responses = responses;
    }

    void attach(CommandScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public void start(IscsiTask t) {
        if ((t.quick || t.startable) && connection.onOwnThread()) {
            inline.add(t);
        } else {
            workers.execute(() -> {
                execute(t);
                connection.flushOrDrop();
            });
        }
    }

    /**
     * Runs the quick commands and starts the startable ones that started while PDUs were
     * dispatched (on the connection's thread).
     */
    void runInline() {
        IscsiTask t;
        while ((t = inline.poll()) != null) {
            if (t.startable) {
                startOnStore(t);
            } else {
                execute(t);
            }
        }
    }

    /** Starts a command its store completes; hands it to a worker when the store cannot start it now. */
    private void startOnStore(IscsiTask t) {
        if (t.scsi.isAborted() || t.failure != null) {
            execute(t);
            return;
        }
        CompletableFuture<ScsiResult> f;
        try {
            t.scsi.attachDataOut(t.dataOut());
            f = core.start(t.scsi);
        } catch (RuntimeException e) {
            log.error("internal error starting {}", t, e);
            f = CompletableFuture.completedFuture(
                    ScsiResult.internalFailure());
        }
        if (f == null) {
            workers.execute(() -> {
                execute(t);
                connection.flushOrDrop();
            });
            return;
        }
        f.whenComplete((r, e) -> {
            ScsiResult result = r != null ? r
                    : ScsiResult.internalFailure();
            if (!connection.onOwnThread() && result.data() != null && result.data().remaining() > LARGE_DATA_IN) {
                // the store's completion thread serves every command of the store: a large
                // Data-In is sent by the connection's thread, which waits for the socket anyway
                connection.post(() -> completeStarted(t, result));
            } else {
                completeStarted(t, result);
            }
        });
    }

    /** Data-In above this many bytes is sent from the connection's thread, not the store's. */
    static final int LARGE_DATA_IN = 128 * 1024;

    private void completeStarted(IscsiTask t, ScsiResult r) {
        try {
            finish(t, r);
        } catch (RuntimeException ex) {
            log.error("internal error completing {}", t, ex);
        } finally {
            if (!connection.onOwnThread()) {
                connection.flushOrDrop(); // on the store's thread; the connection's own flushes after its PDUs
            }
        }
    }

    /** Runs a command and queues its response (or ends it, when it was aborted meanwhile). */
    private void execute(IscsiTask t) {
        if (t.scsi.isAborted()) {
            endAborted(t); // aborted after it was started, before it ran
            return;
        }
        ScsiResult r;
        try {
            if (t.failure != null) {
                r = ScsiResult.of(t.failure);
            } else {
                t.scsi.attachDataOut(t.dataOut());
                r = core.execute(t.scsi);
            }
        } catch (RuntimeException e) {
            log.error("internal error running {}", t, e);
            r = ScsiResult.internalFailure();
        }
        finish(t, r);
    }

    /** Queues the command's response, or ends it when it was aborted while it ran. */
    private void finish(IscsiTask t, ScsiResult r) {
        if (t.scsi.claimCompletion()) {
            scheduler.finish(t, onSent -> responses.complete(t, r, ResponseWriter.senseOf(t, r), onSent));
        } else {
            endAborted(t);
        }
    }

    @Override
    public void endAborted(IscsiTask t) {
        scheduler.finishAborted(t, responses);
    }

    @Override
    public void post(Runnable r) {
        connection.post(r);
    }
}
