package io.xtarget.backend.rbd;

import io.xtarget.backend.Bounds;
import io.xtarget.backend.StoreFencedException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * READ and WRITE of an {@link RbdStore} started without blocking ({@link
 * io.xtarget.backend.Store#startRead}, {@link io.xtarget.backend.Store#startWrite}): the caller
 * (a connection's thread) submits rbd_aio_read / rbd_aio_write2 into the command's direct buffer
 * and librbd's callback thread completes the future. The operation holds the image's gate (and, for
 * a write, the lock's use) through {@link io.xtarget.backend.DetachedHolds} until it completes,
 * so close, recovery from fencing and a lock handoff wait for it. Whatever cannot start at once
 * returns null, and the store's blocking calls do it (they wait, ask for the lock, or throw).
 */
final class RbdStartedIo {
    private final RbdImageGate gate;
    private final RbdLockHandoff handoff;
    private final long sizeBytes;

    RbdStartedIo(RbdImageGate gate, RbdLockHandoff handoff, long sizeBytes) {
        this.gate = gate;
        this.handoff = handoff;
        this.sizeBytes = sizeBytes;
    }

    /**
     * rbd_aio_read into a direct buffer, completed on librbd's callback thread. Null (use
     * {@link RbdStore#read}) for a heap buffer, or when the image is closing, fenced or being recovered.
     */
    CompletableFuture<Void> startRead(long offset, ByteBuffer dst) {
        int n = dst.remaining();
        if (!dst.isDirect() || n == 0 || !Bounds.contains(offset, n, sizeBytes)) {
            return null;
        }
        RbdImage image = gate.tryEnterDetached();
        if (image == null) {
            return null;
        }
        return started(() -> image.read(offset, MemorySegment.ofBuffer(dst)), gate::exitDetached, rv -> {
            gate.requireRead(rv, n, offset);
            dst.position(dst.position() + n);
        });
    }

    /**
     * rbd_aio_write from a direct buffer, completed on librbd's callback thread. Null (use
     * {@link RbdStore#write}) for FUA (it flushes after), a heap buffer, or when the write cannot start at
     * once: the image closing or fenced, or, between gateways, the exclusive lock elsewhere or
     * being handed over ({@link RbdLockHandoff#tryEnterForWriteDetached}).
     */
    CompletableFuture<Void> startWrite(long offset, ByteBuffer src, boolean fua) {
        int n = src.remaining();
        if (fua || !src.isDirect() || n == 0 || !Bounds.contains(offset, n, sizeBytes)) {
            return null;
        }
        RbdImage image = handoff.tryEnterForWriteDetached();
        if (image == null) {
            return null;
        }
        return started(() -> image.write(offset, MemorySegment.ofBuffer(src), false), handoff::exitWriteDetached, rv -> {
            if (rv < 0) {
                IOException e = gate.failure("write of " + n + " bytes of " + gate.spec() + " at " + offset, (int) -rv);
                if (e instanceof StoreFencedException f && f.reason() == StoreFencedException.Reason.LOCKED_ELSEWHERE) {
                    handoff.lockLost();
                }
                throw e;
            }
            src.position(src.position() + n);
        });
    }

    /** The submission of one asynchronous operation. */
    @FunctionalInterface
    private interface Submit {
        RbdCompletion submit() throws IOException;
    }

    /** What a completed operation's return value means (throws for a failure). */
    @FunctionalInterface
    private interface Outcome {
        void accept(long rv) throws IOException;
    }

    /**
     * Submits an operation whose hold {@code exit} ends when it completes; the buffer it uses is
     * captured by {@code outcome}, so it stays reachable until librbd is done with it.
     */
    private CompletableFuture<Void> started(Submit submit, Runnable exit, Outcome outcome) {
        RbdCompletion c;
        try {
            c = submit.submit();
        } catch (IOException | RuntimeException e) {
            exit.run();
            return CompletableFuture.failedFuture(e instanceof IOException io ? gate.noted(io) : e);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        c.future().whenComplete((rv, e) -> {
            exit.run();
            try {
                if (e != null) {
                    throw e;
                }
                outcome.accept(rv);
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done;
    }
}
