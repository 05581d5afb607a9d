package io.xtarget.scsi;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/** Executes one command. Errors are thrown as {@link ScsiException}; I/O errors as IOException. */
@FunctionalInterface
public interface CommandHandler {
    ScsiResult execute(ScsiTask task) throws ScsiException, IOException;

    /**
     * Whether {@link #start} may start a command, so a fabric tries it on its receiving thread
     * when the LU's store starts I/O ({@link LogicalUnit#startsIo}).
     */
    default boolean starts() {
        return false;
    }

    /**
     * Starts the command without blocking the calling thread, when it can: checks run at once
     * (their failures are thrown as by {@link #execute}), the I/O completes on the store's thread.
     *
     * @return null, with nothing done that {@link #execute} would not do again, when it must run
     *     with {@link #execute} on a thread that may block; else a future of its result, failing
     *     with the ScsiException or IOException {@link #execute} would have thrown
     */
    default CompletableFuture<ScsiResult> start(ScsiTask task) throws ScsiException, IOException {
        return null;
    }

    /** How a command starts without blocking (see {@link #start}). */
    @FunctionalInterface
    interface Starter {
        CompletableFuture<ScsiResult> start(ScsiTask task) throws ScsiException, IOException;
    }

    /** A handler that runs with {@code execute} and starts with {@code start} when it can. */
    static CommandHandler startable(CommandHandler execute, Starter start) {
        return new CommandHandler() {
            @Override
            public ScsiResult execute(ScsiTask task) throws ScsiException, IOException {
                return execute.execute(task);
            }

            @Override
            public boolean starts() {
                return true;
            }

            @Override
            public CompletableFuture<ScsiResult> start(ScsiTask task) throws ScsiException, IOException {
                return start.start(task);
            }
        };
    }
}
