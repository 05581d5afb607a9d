package io.xtarget.scsi;

import io.xtarget.backend.FlushFailedException;
import io.xtarget.backend.OutOfSpaceException;
import io.xtarget.backend.Store;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * READ and WRITE started without blocking the calling thread (a fabric's receiving thread) on a
 * store that starts I/O ({@link Store#startsIo}, librbd's aio): the same rules as
 * {@link LuDataPath}'s blocking reads and writes (stripes held shared until the I/O completes,
 * health, durability, space accounting, counters), but nothing here ever waits. Whatever cannot
 * start at once (a stripe held exclusively, a failed LU, a store that declines) answers null and
 * the caller runs the command the blocking way, which waits or fails as it always did.
 */
final class LuStartedIo {
    private final Supplier<Store> store;
    private final Supplier<ThinProvisioning> provisioning;
    private final LuHealth health;
    private final ModeState mode;
    private final LbaLocks lbaLocks;
    private final LuIoStats stats;

    LuStartedIo(Supplier<Store> store, Supplier<ThinProvisioning> provisioning, LuHealth health, ModeState mode,
            LbaLocks lbaLocks, LuIoStats stats) {
        this.store = store;
        this.provisioning = provisioning;
        this.health = health;
        this.mode = mode;
        this.lbaLocks = lbaLocks;
        this.stats = stats;
    }

    /**
     * Starts a read of {@code dst.remaining()} bytes from a logical block into {@code dst}.
     *
     * @return null when it cannot start now: call {@link LuDataPath#read(long, ByteBuffer)} from a
     *     thread that may block; else the store's future (see {@link Store#startRead})
     */
    CompletableFuture<Void> startRead(long lba, ByteBuffer dst) {
        Store s = store.get();
        long offset = lba * s.blockSize();
        int n = dst.remaining();
        return started(s, offset, n, () -> s.startRead(offset, dst), () -> stats.read(n), e -> {});
    }

    /**
     * Starts a write of {@code src} from a logical block, durable when FUA is set or the write
     * cache is off; a failed flush fails the LU, running out of space starts an out-of-space
     * episode, as for {@link LuDataPath#write(long, ByteBuffer, boolean)}.
     *
     * @return null when it cannot start now (the LU is failed too: the blocking path refuses it
     *     with the LU's sense)
     */
    CompletableFuture<Void> startWrite(long lba, ByteBuffer src, boolean fua) {
        if (health.state() != LuHealth.State.HEALTHY) {
            return null;
        }
        Store s = store.get();
        long offset = lba * s.blockSize();
        int n = src.remaining();
        return started(s, offset, n, () -> s.startWrite(offset, src, mode.durable(fua)), () -> {
            stats.written(n);
            provisioning.get().allocated(n);
        }, e -> {
            if (e instanceof FlushFailedException ff) {
                health.flushFailed(ff);
            } else if (e instanceof OutOfSpaceException oos) {
                provisioning.get().allocationFailed(oos);
            }
        });
    }

    /**
     * Starts one store operation of {@code n} bytes at {@code offset} under its stripes; when it
     * completes, {@code done} counts it, or {@code failed} gets the store's exception as it was thrown.
     */
    private CompletableFuture<Void> started(Store s, long offset, int n, Supplier<CompletableFuture<Void>> start,
            Runnable done, Consumer<Throwable> failed) {
        LbaLocks.Held h = lbaLocks.trySharedBytes(offset, n, s.blockSize());
        if (h == null) {
            return null;
        }
        long t0 = System.nanoTime();
        CompletableFuture<Void> f;
        try {
            f = start.get();
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
        if (f == null) {
            h.close();
            return null;
        }
        return f.whenComplete((v, e) -> {
            h.close();
            if (e == null) {
                stats.sample(t0, n);
                done.run();
            } else {
                failed.accept(e);
            }
        });
    }
}
