package io.xtarget.scsi;

import io.xtarget.backend.DetachedHolds;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Per-LU read/write locks striped by LBA region. Every read and write through the LU's data path
 * (READ and WRITE families, WRITE SAME, UNMAP, and EXTENDED COPY's reads and writes, the fast
 * path's writes included) takes its stripes shared inside {@link LogicalUnit}, so reads and
 * writes never wait for each other; COMPARE AND WRITE, ORWRITE and WRITE ATOMIC take them
 * exclusive, so their read-compare-write or write is atomic against every other command that
 * touches the LU's data (SBC-3 5.2: the compare and the write are one uninterrupted operation;
 * SBC-4 4.29: no command sees part of an atomic write). A thread holding a stripe exclusively may
 * still read and write that range through the LU (a read lock under the write lock). Stripes are
 * always taken in ascending order; the only holder of two LUs' stripes, the copy fast path
 * ({@link LogicalUnit#copyTo}), takes the LUs in one global order, so two commands can never
 * deadlock.
 */
public final class LbaLocks {
    private static final int STRIPES = 64;
    /** 2048 blocks per region: a 1 MiB (512 B blocks) write touches one or two stripes. */
    private static final int REGION_SHIFT = 11;

    private final ReentrantReadWriteLock[] stripes = new ReentrantReadWriteLock[STRIPES];
    /** Shared holds of asynchronous reads and writes, which end on another thread ({@link #tryShared}). */
    private final DetachedHolds[] detached = new DetachedHolds[STRIPES];

    public LbaLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantReadWriteLock();
            detached[i] = new DetachedHolds(stripes[i]);
        }
    }

    /** The stripes touched by [lba, lba+blocks), as a bit mask (a 0-block range holds its first stripe). */
    static long mask(long lba, long blocks) {
        long first = lba >>> REGION_SHIFT;
        long last = (lba + Math.max(1, blocks) - 1) >>> REGION_SHIFT;
        if (last - first >= STRIPES - 1) {
            return -1L;
        }
        long m = 0;
        for (long r = first; r <= last; r++) {
            m |= 1L << (r & (STRIPES - 1));
        }
        return m;
    }

    /** Held by a plain read or write: excludes COMPARE AND WRITE, ORWRITE and WRITE ATOMIC on overlapping stripes. */
    public Held shared(long lba, long blocks) {
        return acquire(mask(lba, blocks), false);
    }

    /** The stripes the blocks of {@code blockSize} bytes that [offset, offset+length) touch lie in (at least one block). */
    static long byteMask(long offset, long length, int blockSize) {
        long first = offset / blockSize;
        long last = (offset + Math.max(1, length) - 1) / blockSize;
        return mask(first, last - first + 1);
    }

    /** {@link #shared(long, long)} of the blocks a byte range touches (the copy engine's byte-granular segments). */
    public Held sharedBytes(long offset, long length, int blockSize) {
        return acquire(byteMask(offset, length, blockSize), false);
    }

    /**
     * Two byte ranges of this LU held shared at once (a copy within one LU): the union of their
     * stripes, taken in one ascending pass.
     */
    public Held sharedBytes(long offset1, long offset2, long length, int blockSize) {
        return acquire(byteMask(offset1, length, blockSize) | byteMask(offset2, length, blockSize), false);
    }

    /**
     * As {@link #shared(long, long)} for an asynchronous read or write, whose completion releases
     * the hold on another thread: never waits. Null when a stripe is held or wanted exclusively
     * (the caller then runs the command the blocking way).
     */
    public Held tryShared(long lba, long blocks) {
        return tryAcquire(mask(lba, blocks));
    }

    /** {@link #tryShared} of the blocks a byte range touches. */
    public Held trySharedBytes(long offset, long length, int blockSize) {
        return tryAcquire(byteMask(offset, length, blockSize));
    }

    private Held tryAcquire(long mask) {
        DetachedHolds[] held = new DetachedHolds[Long.bitCount(mask)];
        int n = 0;
        for (int i = 0; i < STRIPES; i++) {
            if ((mask & (1L << i)) != 0) {
                if (!detached[i].tryAcquire()) {
                    for (int j = n - 1; j >= 0; j--) {
                        held[j].release();
                    }
                    return null;
                }
                held[n++] = detached[i];
            }
        }
        return new Held(new Lock[0], held);
    }

    /** Held by a read-modify-write or an atomic write: excludes every other read and write on overlapping stripes. */
    public Held exclusive(long lba, long blocks) {
        return acquire(mask(lba, blocks), true);
    }

    private Held acquire(long mask, boolean exclusive) {
        Lock[] held = new Lock[Long.bitCount(mask)];
        int n = 0;
        for (int i = 0; i < STRIPES; i++) {
            if ((mask & (1L << i)) != 0) {
                Lock l = exclusive ? stripes[i].writeLock() : stripes[i].readLock();
                l.lock();
                held[n++] = l;
                if (exclusive) {
                    detached[i].awaitNone(); // asynchronous reads and writes still in flight
                }
            }
        }
        return new Held(held, new DetachedHolds[0]);
    }

    /** The locks one command holds; closing releases them (detached holds from any thread). */
    public static final class Held implements AutoCloseable {
        private final Lock[] locks;
        private final DetachedHolds[] detached;

        private Held(Lock[] locks, DetachedHolds[] detached) {
            this.locks = locks;
            this.detached = detached;
        }

        /** Both, released in the reverse order of taking ({@code second} was taken last). */
        static Held both(Held first, Held second) {
            Lock[] all = new Lock[first.locks.length + second.locks.length];
            System.arraycopy(first.locks, 0, all, 0, first.locks.length);
            System.arraycopy(second.locks, 0, all, first.locks.length, second.locks.length);
            DetachedHolds[] detached = new DetachedHolds[first.detached.length + second.detached.length];
            System.arraycopy(first.detached, 0, detached, 0, first.detached.length);
            System.arraycopy(second.detached, 0, detached, first.detached.length, second.detached.length);
            return new Held(all, detached);
        }

        @Override
        public void close() {
            for (int i = locks.length - 1; i >= 0; i--) {
                locks[i].unlock();
            }
            for (int i = detached.length - 1; i >= 0; i--) {
                detached[i].release();
            }
        }
    }
}
