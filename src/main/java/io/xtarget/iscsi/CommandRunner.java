package io.xtarget.iscsi;

import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.Sense;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a connection's commands run. A quick command (its opcode row is QUICK and its LU's store
 * answers at memory speed) started on the connection's own thread runs there, after the PDUs
 * already read are dispatched, so one wake-up of that thread serves the command from request
 * to response; every other command runs on the server's workers, which send the response
 * themselves (the {@link Outbox} never blocks them).
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
        if (t.quick && connection.onOwnThread()) {
            inline.add(t);
        } else {
            workers.execute(() -> {
                execute(t);
                connection.flushOrDrop();
            });
        }
    }

    /** Runs the quick commands started while PDUs were dispatched (on the connection's thread). */
    void runInline() {
        IscsiTask t;
        while ((t = inline.poll()) != null) {
            execute(t);
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
            r = new ScsiResult(ScsiStatus.CHECK_CONDITION, Sense.internalTargetFailure(), null);
        }
        if (t.scsi.claimCompletion()) {
            ScsiResult result = r;
            scheduler.finish(t, onSent -> responses.complete(t, result, ResponseWriter.senseOf(t, result), onSent));
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
