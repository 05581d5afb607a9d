package io.xtarget.backend.rbd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One librbd asynchronous operation's completion ({@code rbd_completion_t}) as a
 * {@link CompletableFuture} of its return value (bytes, 0, or a negative errno).
 *
 * <p>Every completion shares one upcall stub, created once: librbd calls it on one of its own
 * threads, or, with {@code rbd_non_blocking_aio=false} ({@link RbdCluster}), inside the rbd_aio_*
 * call on the submitting thread when the request fails at once, with the completion and the
 * {@code void *arg} it was created with, which is not a pointer but this object's number in {@link #PENDING}. The callback reads
 * the return value, releases the completion and completes the future; it does nothing that
 * blocks, and catches everything (an exception escaping an upcall would end the JVM). A
 * completion is released exactly once: by the callback, or by {@link #abandon} when librbd refused
 * the submission and will never call back; whichever removes it from {@link #PENDING} does it.
 */
final class RbdCompletion {
    private static final Logger log = LoggerFactory.getLogger(RbdCompletion.class);
    private static final ConcurrentHashMap<Long, RbdCompletion> PENDING = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static volatile MemorySegment callback;

    private final long id;
    private final MemorySegment completion;
    private final CompletableFuture<Long> result = new CompletableFuture<>();

    private RbdCompletion(long id, MemorySegment completion) {
        this.id = id;
        this.completion = completion;
    }

    /** A new completion, registered for its callback; pass {@link #handle} to one rbd_aio_* call. */
    static RbdCompletion create(Librbd lib) throws IOException {
        long id = IDS.incrementAndGet();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int rc = (int) lib.rbdAioCreateCompletion.invokeExact(MemorySegment.ofAddress(id), callback(lib), out);
            if (rc < 0) {
                throw RbdErrors.of("rbd_aio_create_completion", -rc);
            }
            RbdCompletion c = new RbdCompletion(id, out.get(ValueLayout.ADDRESS, 0));
            PENDING.put(id, c);
            return c;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    private static MemorySegment callback(Librbd lib) throws ReflectiveOperationException {
        MemorySegment cb = callback;
        if (cb == null) {
            synchronized (RbdCompletion.class) {
                cb = callback;
                if (cb == null) {
                    cb = lib.upcall(MethodHandles.lookup().findStatic(RbdCompletion.class, "completed",
                            MethodType.methodType(void.class, MemorySegment.class, MemorySegment.class)),
                            Librbd.COMPLETION_CALLBACK);
                    callback = cb;
                }
            }
        }
        return cb;
    }

    /** The upcall: {@code void (*)(rbd_completion_t c, void *arg)}. */
    private static void completed(MemorySegment c, MemorySegment arg) {
        try {
            RbdCompletion mine = PENDING.remove(arg.address());
            if (mine == null) {
                return; // abandoned: its submitter released it
            }
            Librbd lib = Librbd.get();
            long rv = (long) lib.rbdAioGetReturnValue.invokeExact(c);
            lib.rbdAioRelease.invokeExact(c);
            mine.result.complete(rv);
        } catch (Throwable t) {
            log.error("librbd completion callback failed", t);
        }
    }

    /** The {@code rbd_completion_t} to submit with. */
    MemorySegment handle() {
        return completion;
    }

    /** The outcome, for callers that chain instead of waiting. */
    CompletableFuture<Long> future() {
        return result;
    }

    /**
     * Called when the rbd_aio_* call itself returned {@code rc} below zero: librbd will not call
     * back, so the completion is released here and the future completed with {@code rc}.
     */
    void abandon(long rc) {
        if (PENDING.remove(id) != null) {
            try {
                Librbd.get().rbdAioRelease.invokeExact(completion);
            } catch (Throwable t) {
                throw Librbd.rethrow(t);
            }
            result.complete(rc);
        }
    }

    /**
     * Waits for the operation, without giving up on interrupts: the caller's buffer belongs to
     * librbd until the callback came, so returning earlier could let it be reused under a running
     * read. A virtual thread waiting here leaves its carrier free.
     *
     * @return the operation's return value: bytes, 0, or a negative errno
     */
    long await() {
        return result.join();
    }

    /** Operations submitted and not yet called back, for tests and shutdown. */
    static int pending() {
        return PENDING.size();
    }
}
