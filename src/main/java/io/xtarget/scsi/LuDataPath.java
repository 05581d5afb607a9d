package io.xtarget.scsi;

import io.xtarget.backend.FlushFailedException;
import io.xtarget.backend.OutOfSpaceException;
import io.xtarget.backend.Store;
import io.xtarget.backend.StoreFencedException;
import io.xtarget.backend.StoreUnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The data path of one logical unit, shared by every command set and the copy engine: reads and
 * writes (byte or block addressed, scattered or gathered) under the LU's LBA stripe locks
 * ({@link LbaLocks}: shared for plain I/O, exclusive for read-modify-write), WRITE SAME and
 * COMPARE AND WRITE by the store, the copy engine's store-to-store fast path, flush, unmap and
 * provisioning status. Writes go through the LU's health (a failed flush fails the LU: {@link
 * LuHealth}) and provisioning (space accounting, out-of-space episodes: {@link ThinProvisioning});
 * a write is durable when FUA is set or the write cache is off ({@link ModeState}). It keeps the
 * byte counters and the store's recent latency ({@link LuIoStats}), which decides {@link #fastIo}.
 * Reads and writes a store can start without blocking go through {@link LuStartedIo}.
 *
 * <p>The store and the provisioning are read through suppliers: {@link LogicalUnit#restore}
 * replaces both when a missing image comes back.
 */
final class LuDataPath {
    /** Global order of LUs, for taking two LUs' stripes in {@link #copyTo} without deadlock. */
    private static final AtomicLong ORDER = new AtomicLong();

    private final Supplier<Store> store;
    private final Supplier<ThinProvisioning> provisioning;
    private final LuHealth health;
    private final ModeState mode;
    private final LbaLocks lbaLocks = new LbaLocks();
    private final long order = ORDER.incrementAndGet();
    private final LuIoStats stats = new LuIoStats();
    private final LuStartedIo started;

    LuDataPath(Supplier<Store> store, Supplier<ThinProvisioning> provisioning, LuHealth health, ModeState mode) {
        this.store = store;
        this.provisioning = provisioning;
        this.health = health;
        this.mode = mode;
        this.started = new LuStartedIo(store, provisioning, health, mode, lbaLocks, stats);
    }

    private Store store() {
        return store.get();
    }

    private ThinProvisioning provisioning() {
        return provisioning.get();
    }

    /** Reads {@code dst.remaining()} bytes starting at a logical block. */
    public void read(long lba, ByteBuffer dst) throws IOException {
        readBytes(lba * store().blockSize(), dst);
    }

    /**
     * Reads at a byte offset (the copy engine's byte-granular segments use this). The stripes are
     * held shared, so a read never sees half of a WRITE ATOMIC, COMPARE AND WRITE or ORWRITE.
     */
    public void readBytes(long offset, ByteBuffer dst) throws IOException {
        readBytes(offset, new ByteBuffer[] {dst});
    }

    /**
     * Scatter read: fills {@code dsts} in order with the bytes from a logical block on, one store
     * call per buffer (a fabric's own buffers, e.g. a virtio driver's data-in descriptors in guest
     * memory), the stripes held once for the whole range as for {@link #read(long, ByteBuffer)}.
     */
    public void read(long lba, ByteBuffer[] dsts) throws IOException {
        readBytes(lba * store().blockSize(), dsts);
    }

    private void readBytes(long offset, ByteBuffer[] dsts) throws IOException {
        long n = remaining(dsts);
        try (LbaLocks.Held h = lockBytes(offset, n)) {
            long t0 = System.nanoTime();
            long at = offset;
            for (ByteBuffer d : dsts) {
                int len = d.remaining();
                store().read(at, d);
                at += len;
            }
            stats.sample(t0, n);
        }
        stats.read(n);
    }

    private static long remaining(ByteBuffer[] buffers) {
        long n = 0;
        for (ByteBuffer b : buffers) {
            n += b.remaining();
        }
        return n;
    }

    /**
     * Writes {@code src.remaining()} bytes starting at a logical block; FUA, or WCE off, makes it
     * durable. Refused while the LU is failed; a durable write whose flush fails fails the LU.
     */
    public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
        writeBytes(lba * store().blockSize(), src, fua);
    }

    public void writeBytes(long offset, ByteBuffer src, boolean fua) throws IOException {
        writeBytes(offset, new ByteBuffer[] {src}, fua);
    }

    /**
     * Gather write: the bytes of {@code srcs} in order from a logical block on, one store call per
     * buffer (a fabric's own buffers, e.g. a virtio driver's data-out descriptors in guest
     * memory), each with the durability {@link #write(long, ByteBuffer, boolean)} gives; the
     * stripes are held once for the whole range. A failure may leave a prefix written.
     */
    public void write(long lba, ByteBuffer[] srcs, boolean fua) throws IOException {
        writeBytes(lba * store().blockSize(), srcs, fua);
    }

    private void writeBytes(long offset, ByteBuffer[] srcs, boolean fua) throws IOException {
        long n = remaining(srcs);
        writing(() -> {
            try (LbaLocks.Held h = lockBytes(offset, n)) {
                long t0 = System.nanoTime();
                long at = offset;
                for (ByteBuffer b : srcs) {
                    int len = b.remaining();
                    store().write(at, b, mode.durable(fua));
                    at += len;
                }
                stats.sample(t0, n);
            }
            return null;
        });
        stats.written(n);
        provisioning().allocated(n);
    }

    /** Whether the store starts reads and writes that complete on its own threads ({@link Store#startsIo}). */
    public boolean startsIo() {
        return store().startsIo();
    }

    /** {@link LuStartedIo#startRead}. */
    public CompletableFuture<Void> startRead(long lba, ByteBuffer dst) {
        return started.startRead(lba, dst);
    }

    /** {@link LuStartedIo#startWrite}. */
    public CompletableFuture<Void> startWrite(long lba, ByteBuffer src, boolean fua) {
        return started.startWrite(lba, src, fua);
    }

    /** One write to the store. */
    @FunctionalInterface
    private interface StoreWrite<T> {
        T run() throws IOException;
    }

    /**
     * Runs a write on the store: refused while the LU is failed; a failed flush fails the LU and an
     * out-of-space failure starts an out-of-space episode (both rethrown).
     */
    private <T> T writing(StoreWrite<T> write) throws IOException {
        health.requireHealthy();
        try {
            return write.run();
        } catch (FlushFailedException e) {
            health.flushFailed(e);
            throw e;
        } catch (OutOfSpaceException e) {
            provisioning().allocationFailed(e);
            throw e;
        }
    }

    /**
     * WRITE SAME by the store itself ({@link Store#writeSame}), like {@link #write} for health,
     * provisioning and counters: {@code block} repeated over {@code blocks} blocks from {@code lba}.
     *
     * @return false when the store has no such operation (nothing written: the caller replicates)
     */
    public boolean writeSame(long lba, long blocks, ByteBuffer block, boolean fua) throws IOException {
        long n = blocks * store().blockSize();
        boolean done = writing(() -> {
            try (LbaLocks.Held h = lbaLocks.shared(lba, blocks)) {
                return store().writeSame(lba * store().blockSize(), n, block, mode.durable(fua));
            }
        });
        if (done) {
            stats.written(n);
            provisioning().allocated(n);
        }
        return done;
    }

    /**
     * COMPARE AND WRITE by the store itself ({@link Store#compareAndWrite}), atomic for every
     * writer of the store's data, also outside this server. The caller holds the blocks
     * exclusively ({@link #lockExclusive}), so it is atomic within this server either way.
     *
     * @return {@link Store#COMPARE_MATCHED}, the offset in bytes of the first differing byte, or
     *     {@link Store#NO_COMPARE_AND_WRITE} (nothing read or written: the caller emulates it)
     */
    public long compareAndWrite(long lba, ByteBuffer verify, ByteBuffer data, boolean fua) throws IOException {
        int n = data.remaining();
        long r = writing(() -> store().compareAndWrite(lba * store().blockSize(), verify, data, mode.durable(fua)));
        if (r != Store.NO_COMPARE_AND_WRITE) {
            stats.read(n);
        }
        if (r == Store.COMPARE_MATCHED) {
            stats.written(n);
            provisioning().allocated(n);
        }
        return r;
    }

    /**
     * Holds [lba, lba+blocks) against every other write and read of this LU, for a
     * read-modify-write (COMPARE AND WRITE, ORWRITE) or an atomic write (WRITE ATOMIC). Reads and
     * writes through this LU from the holding thread still work.
     */
    public LbaLocks.Held lockExclusive(long lba, long blocks) {
        return lbaLocks.exclusive(lba, blocks);
    }

    /** The stripes a read or write of {@code length} bytes at {@code offset} touches, held shared. */
    private LbaLocks.Held lockBytes(long offset, long length) {
        return lbaLocks.sharedBytes(offset, length, store().blockSize());
    }

    /**
     * The copy engine's fast path: asks the source store to copy straight into {@code dst}'s store
     * ({@link Store#copyTo}). Counts the bytes like reads and writes. The source range is held
     * shared like a read, the destination range like a write (one pass when both are on this LU;
     * else the LUs in their global order), so the copy never sees or splits an atomic write.
     *
     * @return bytes copied (possibly fewer than asked), or -1 when the stores have no fast path
     */
    public long copyTo(long srcOffset, LuDataPath dst, long dstOffset, long length) throws IOException {
        dst.health.requireHealthy();
        long n;
        try (LbaLocks.Held h = lockForCopy(srcOffset, dst, dstOffset, length)) {
            n = store().copyTo(srcOffset, dst.store(), dstOffset, length);
        } catch (OutOfSpaceException e) {
            dst.provisioning().allocationFailed(e);
            throw e;
        }
        if (n > 0) {
            stats.read(n);
            dst.stats.written(n);
            dst.provisioning().allocated(n);
        }
        return n;
    }

    private LbaLocks.Held lockForCopy(long srcOffset, LuDataPath dst, long dstOffset, long length) {
        if (dst == this) {
            return lbaLocks.sharedBytes(srcOffset, dstOffset, length, store().blockSize());
        }
        boolean sourceFirst = order < dst.order;
        LbaLocks.Held first = sourceFirst ? lockBytes(srcOffset, length) : dst.lockBytes(dstOffset, length);
        LbaLocks.Held second;
        try {
            second = sourceFirst ? dst.lockBytes(dstOffset, length) : lockBytes(srcOffset, length);
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
        return LbaLocks.Held.both(first, second);
    }

    /**
     * Whether small reads and writes complete at memory speed: always for memory stores, and for
     * file and device stores while their recent latency says the data is in the page cache. A
     * fabric runs quick commands of a fast LU on its receiving thread, the others on workers.
     */
    public boolean fastIo() {
        return switch (store().speed()) {
            case MEMORY -> true;
            case CACHED -> stats.fast();
            case UNKNOWN -> false;
        };
    }

    /**
     * Makes every completed write durable. Refused while the LU is failed; a failure fails the LU
     * (whatever exception the store threw, it is reported as a {@link FlushFailedException}), but
     * for a store that cannot be reached now ({@link StoreUnavailableException}) or that another
     * gateway owns or fenced ({@link StoreFencedException}: NOT READY 04h/0Ah; a fenced gateway
     * recovers and serves again, it must not stay failed).
     */
    public void flush() throws IOException {
        health.requireHealthy();
        try {
            store().flush();
        } catch (StoreUnavailableException | StoreFencedException e) {
            throw e; // the store says nothing was lost (its acknowledged writes are durable): the LU stays healthy
        } catch (IOException e) {
            FlushFailedException f = e instanceof FlushFailedException ff ? ff
                    : new FlushFailedException("flush of " + store + " failed: " + e.getMessage(), e);
            health.flushFailed(f);
            throw f;
        }
    }

    /**
     * Deallocates whole logical blocks (SBC-3 4.7.3 unmap operation); later reads of them
     * return zeros, which is what LBPRZ=1 in READ CAPACITY(16) and VPD 0xB2 promises.
     */
    public void unmap(long lba, long blocks) throws IOException {
        health.requireHealthy();
        try (LbaLocks.Held h = lbaLocks.shared(lba, blocks)) {
            store().unmap(lba * store().blockSize(), blocks * store().blockSize());
        } catch (OutOfSpaceException e) {
            provisioning().allocationFailed(e); // a store that writes zeros for UNMAP may need space
            throw e;
        }
        provisioning().deallocated();
    }

    /**
     * How many blocks from {@code lba} share its provisioning status, and which: mapped, or
     * deallocated (reads return zeros). From the store ({@link Store#extentAt}); at least one block.
     */
    public Store.Extent blockExtentAt(long lba) throws IOException {
        Store.Extent e = store().extentAt(lba * store().blockSize());
        return new Store.Extent(Math.max(1, e.length() / store().blockSize()), e.mapped());
    }

    public long bytesRead() {
        return stats.bytesRead();
    }

    public long bytesWritten() {
        return stats.bytesWritten();
    }
}
