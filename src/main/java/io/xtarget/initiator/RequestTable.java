package io.xtarget.initiator;

import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A session's requests by Initiator Task Tag (RFC 7143 11.2.1.8): allocates ITTs, keeps each SCSI
 * command ({@link PendingCommand}) or other request (a future for the PDU that answers it: NOP,
 * task management, Text, Logout) until it ends, and waits for answers. Once the session is marked
 * closed it hands out no tag, and {@link #failAll} ends whatever is still pending.
 *
 * <p>Thread-safe: callers register and wait, the reader thread completes, any thread may fail.
 */
final class RequestTable {
    /** The ITT (and TTT) value no task has (RFC 7143 11.2.1.8). */
    static final int RESERVED_TAG = 0xFFFFFFFF;

    private final String description;
    private final AtomicInteger nextItt = new AtomicInteger(1);
    /** ITT -> PendingCommand, or CompletableFuture&lt;Pdu&gt; for NOP/TMF/Text/Logout. */
    private final ConcurrentHashMap<Integer, Object> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<CompletableFuture<Pdu>, Integer> requestTags = new ConcurrentHashMap<>();
    private volatile Throwable closedBy;

    /** @param description the session as log and exception messages name it */
    RequestTable(String description) {
        this.description = description;
    }

    // ---------------------------------------------------------------- the session's end

    /** Why the session ended, or null while it is open. */
    Throwable closedBy() {
        return closedBy;
    }

    boolean isClosed() {
        return closedBy != null;
    }

    /** Throws {@link SessionClosedException} once the session is marked closed. */
    void checkOpen() throws SessionClosedException {
        Throwable c = closedBy;
        if (c != null) {
            throw new SessionClosedException(description + ": session is closed", c);
        }
    }

    /** Marks the session closed for {@code cause}; false if it already was (the first cause stays). */
    synchronized boolean markClosed(Throwable cause) {
        if (closedBy != null) {
            return false;
        }
        closedBy = cause;
        return true;
    }

    /** Fails every pending request with a {@link SessionClosedException} carrying the cause's message and cause. */
    void failAll(IOException cause) {
        for (Object o : pending.values()) {
            SessionClosedException e = new SessionClosedException(cause.getMessage(), cause.getCause());
            switch (o) {
                case PendingCommand c -> {
                    if (pending.remove(c.itt, c)) {
                        c.future.completeExceptionally(e);
                    }
                }
                case CompletableFuture<?> f -> {
                    pending.values().remove(f);
                    f.completeExceptionally(e);
                }
                default -> { }
            }
        }
    }

    // ---------------------------------------------------------------- registering

    /**
     * Registers a SCSI command under a fresh ITT.
     *
     * @param dataOut the Data-Out bytes (position 0 to limit), or null
     * @param dataInLength bytes of Data-In expected, 0 for none
     * @throws SessionClosedException when the session is closed
     */
    PendingCommand newCommand(int lun, ByteBuffer dataOut, int dataInLength) throws IOException {
        return register(itt -> new PendingCommand(itt, lun, dataOut, dataInLength));
    }

    /** Allocates a free ITT (never 0xFFFFFFFF) and registers the value made for it. */
    private <T> T register(IntFunction<T> make) throws IOException {
        checkOpen();
        while (true) {
            int itt = nextItt.getAndIncrement();
            if (itt == RESERVED_TAG) {
                continue;
            }
            T v = make.apply(itt);
            if (pending.putIfAbsent(itt, v) == null) {
                // A shutdown racing with this registration may have drained the map already.
                if (closedBy != null && pending.remove(itt, v)) {
                    checkOpen();
                }
                return v;
            }
        }
    }

    /** A request other than a SCSI command under a fresh ITT ({@link #ittOf}); its answer completes it. */
    CompletableFuture<Pdu> newRequest() throws IOException {
        CompletableFuture<Pdu> f = register(itt -> {
            CompletableFuture<Pdu> g = new CompletableFuture<>();
            requestTags.put(g, itt);
            return g;
        });
        f.whenComplete((r, e) -> requestTags.remove(f));
        return f;
    }

    /** A new future for a continuation that must reuse an ITT (RFC 7143 11.10: same ITT per text sequence). */
    CompletableFuture<Pdu> newRequest(int itt) throws IOException {
        checkOpen();
        CompletableFuture<Pdu> f = new CompletableFuture<>();
        requestTags.put(f, itt);
        f.whenComplete((r, e) -> requestTags.remove(f));
        if (pending.putIfAbsent(itt, f) != null) {
            throw new IllegalStateException("task tag in use");
        }
        if (closedBy != null && pending.remove(itt, f)) {
            checkOpen();
        }
        return f;
    }

    /** The ITT of a request from {@link #newRequest}; 0xFFFFFFFF once it has completed. */
    int ittOf(CompletableFuture<Pdu> f) {
        Integer i = requestTags.get(f);
        return i == null ? RESERVED_TAG : i;
    }

    // ---------------------------------------------------------------- looking up and removing

    /** The pending SCSI command with this ITT, or null. */
    PendingCommand command(int itt) {
        return pending.get(itt) instanceof PendingCommand c ? c : null;
    }

    /** The ITT of the pending command whose future this is; -1 if none. */
    int tagOf(CompletableFuture<CommandResult> future) {
        for (var e : pending.entrySet()) {
            if (e.getValue() instanceof PendingCommand c && c.future == future) {
                return e.getKey();
            }
        }
        return -1;
    }

    /** Drops the command whose future this is (its caller gave up on it). */
    void forget(CompletableFuture<CommandResult> future) {
        pending.values().removeIf(v -> v instanceof PendingCommand c && c.future == future);
    }

    /** Removes the command; true if it was still pending. */
    boolean remove(PendingCommand c) {
        return pending.remove(c.itt, c);
    }

    /** Removes the request (one whose PDU never went out). */
    void remove(CompletableFuture<Pdu> f) {
        pending.remove(ittOf(f), f);
    }

    // ---------------------------------------------------------------- ending

    /** Completes the command with its result if it was still pending. */
    void complete(PendingCommand c, CommandResult result) {
        if (pending.remove(c.itt, c)) {
            c.future.complete(result);
        }
    }

    /** Fails the command with {@code e} if it was still pending. */
    void fail(PendingCommand c, Throwable e) {
        if (pending.remove(c.itt, c)) {
            c.future.completeExceptionally(e);
        }
    }

    /** Completes the request (not a SCSI command) with this ITT with its answer {@code p}. */
    void completeRequest(int itt, Pdu p) {
        Object o = pending.get(itt);
        if (o instanceof CompletableFuture<?> f && pending.remove(itt, o)) {
            @SuppressWarnings("unchecked")
            CompletableFuture<Pdu> g = (CompletableFuture<Pdu>) f;
            g.complete(p);
        }
    }

    /** Fails whatever is pending under this ITT (never the reserved one); false if nothing was. */
    boolean fail(int itt, IOException e) {
        Object o = itt == RESERVED_TAG ? null : pending.remove(itt);
        switch (o) {
            case PendingCommand c -> c.future.completeExceptionally(e);
            case CompletableFuture<?> f -> f.completeExceptionally(e);
            case null, default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * RFC 7143 4.2.3.3/11.5.1: the tasks a completed TMF ended get no response, and the TMF
     * response comes after every response the target did send; so whatever the TMF covers and is
     * still pending now is over: fails those sent before {@code tmfCmdSn} with {@link TaskAbortedException}.
     *
     * @param function the TMF function code of {@link TaskMgmtRequest}
     */
    void failAborted(int function, int lun, int refItt, int tmfCmdSn) {
        for (Object o : pending.values()) {
            if (!(o instanceof PendingCommand c) || !c.sent || !SerialNumber.lessThan(c.cmdSn, tmfCmdSn)) {
                continue;
            }
            boolean hit = switch (function) {
                case TaskMgmtRequest.ABORT_TASK -> c.itt == refItt;
                case TaskMgmtRequest.ABORT_TASK_SET, TaskMgmtRequest.CLEAR_TASK_SET,
                        TaskMgmtRequest.LOGICAL_UNIT_RESET -> c.lun == lun;
                default -> true;
            };
            if (hit && pending.remove(c.itt, c)) {
                c.future.completeExceptionally(new TaskAbortedException(description + ": task 0x"
                        + Integer.toHexString(c.itt) + " ended by task management function " + function));
            }
        }
    }

    // ---------------------------------------------------------------- waiting

    /**
     * Waits for the request's answer; on a timeout or an interrupt the request is dropped.
     *
     * @throws IscsiTimeoutException after {@code timeout}
     * @throws InterruptedIOException when interrupted
     * @throws IOException the failure the request ended with
     */
    Pdu await(CompletableFuture<Pdu> f, Duration timeout, String what) throws IOException {
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.values().remove(f);
            throw new IscsiTimeoutException(description + ": " + what + " timed out after " + timeout);
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (InterruptedException e) {
            pending.values().remove(f);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + what);
        }
    }

    /** The answer as {@code type}, else {@link IscsiProtocolException} naming the request ({@code what}). */
    <T extends Pdu> T expect(Class<T> type, Pdu p, String what) throws IscsiProtocolException {
        if (!type.isInstance(p)) {
            throw new IscsiProtocolException(description + ": unexpected answer to " + what + ": opcode 0x"
                    + Integer.toHexString(p.opcode()));
        }
        return type.cast(p);
    }

    /** The IOException a future failed with, or one wrapping any other failure. */
    static IOException unwrap(ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof IOException io) {
            return io;
        }
        return new IOException(c);
    }
}
