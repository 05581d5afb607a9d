package io.xtarget.scsi;

import io.xtarget.backend.OutOfSpaceException;
import io.xtarget.backend.SpaceUsage;
import io.xtarget.backend.Store;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logical block provisioning of one thin logical unit whose store allocates from a file system
 * (SBC-3 4.7.3): the space left, the soft threshold, and running out of space.
 *
 * <p><b>Resource exhaustion</b> (SBC-3 4.7.3.6): a write the file system has no room for fails
 * with DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT (27h/07h), which hosts treat as "out
 * of space" (Linux: ENOSPC to the file system; ESXi pauses the virtual machine) rather than as
 * a broken disk. Each episode is logged once at WARN, and ends with the next successful write.
 *
 * <p><b>Soft threshold</b> (SBC-3 4.7.3.7): with {@code softThresholdPercent} set, the LU watches
 * the share of its file system in use. When it reaches the threshold, every I_T nexus attached
 * to the LU gets one UNIT ATTENTION / THIN PROVISIONING SOFT THRESHOLD REACHED (38h/07h) (SITUA
 * = 0); the threshold is then {@link ThresholdState#REACHED} and reports nothing more until the
 * usage has fallen below it again (e.g. after UNMAP), which re-arms it. In SBC-3 terms it is a
 * soft threshold, armed decreasing, on the available LBA mapping resources (threshold resource
 * 01h), at {@code (100 - percent)} % of the file system. The usage (statvfs) is sampled after a
 * write once {@link #DEFAULT_CHECK_INTERVAL_NANOS} passed since the last sample, or once this LU
 * wrote as many bytes as were left before the threshold at the last sample (so its own writes
 * cannot run far past it unseen); and at once after a write ran out of space, after UNMAP and
 * when the Logical Block Provisioning log page is read.
 *
 * <p>Thresholds are supported (a nonzero {@link #thresholdExponent}) only when the store reports
 * a {@link SpaceUsage} (file images); RAM, null and block device LUs have no such pool.
 */
public final class ThinProvisioning {
    private static final Logger log = LoggerFactory.getLogger(ThinProvisioning.class);
    static final long DEFAULT_CHECK_INTERVAL_NANOS = 100_000_000L;

    /** Whether the soft threshold may report: SBC-3's arming, for one armed decreasing threshold. */
    public enum ThresholdState {
        /** Usage is below the threshold (or none is set): reaching it raises the unit attention. */
        ARMED,
        /** Usage reached the threshold and the unit attention was raised; re-armed below it. */
        REACHED
    }

    private final String name;
    private final Store store;
    private final UnitAttentions unitAttentions;
    private final int blockSize;
    private final int thresholdExponent;
    private final LongAdder spaceAllocationFailures = new LongAdder();
    private final AtomicLong nextCheckNanos = new AtomicLong(System.nanoTime());
    /** Bytes this LU may write before a sample is due whatever the time: the distance to the threshold. */
    private final AtomicLong bytesBeforeSample = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long checkIntervalNanos = DEFAULT_CHECK_INTERVAL_NANOS;
    /** 0: no soft threshold. */
    private volatile int softThresholdPercent;
    private volatile ThresholdState thresholdState = ThresholdState.ARMED;
    private volatile boolean outOfSpace;

    ThinProvisioning(String name, Store store, UnitAttentions unitAttentions) {
        this.name = name;
        this.store = store;
        this.unitAttentions = unitAttentions;
        this.blockSize = store.blockSize();
        this.thresholdExponent = hasSpacePool(store) ? exponentFor(store.blockCount()) : 0;
    }

    private static boolean hasSpacePool(Store store) {
        try {
            return store.spaceUsage() != null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The smallest nonzero exponent with capacity / 2^exponent &lt; 2^32 (SBC-3 6.6.4, VPD B2h
     * THRESHOLD EXPONENT): resource counts and thresholds are in threshold sets of 2^exponent
     * logical blocks.
     */
    public static int exponentFor(long blocks) {
        int e = 1;
        while ((blocks >>> e) >= (1L << 32)) {
            e++;
        }
        return e;
    }

    /** The VPD B2h THRESHOLD EXPONENT: 0 when this LU supports no thresholds. */
    public int thresholdExponent() {
        return thresholdExponent;
    }

    public boolean thresholdsSupported() {
        return thresholdExponent != 0;
    }

    /**
     * Sets the soft threshold, in percent of the file system in use (1 to 99), or 0 for none.
     * Takes effect at the next write, which samples the usage. A change reaches the Logical
     * Block Provisioning mode page by a method outside the standard, so every I_T nexus attached
     * gets MODE PARAMETERS CHANGED (SBC-3 6.4.x, as for any such change of a mode page).
     */
    public void softThresholdPercent(int percent) {
        if (percent < 0 || percent > 99) {
            throw new IllegalArgumentException("soft threshold must be 0 (off) or 1 to 99 percent, not " + percent);
        }
        if (percent != softThresholdPercent) {
            softThresholdPercent = percent;
            thresholdState = ThresholdState.ARMED;
            nextCheckNanos.set(System.nanoTime());
            bytesBeforeSample.set(0);
            if (thresholdsSupported()) {
                unitAttentions.establishForAll(UnitAttentions.MODE_PARAMETERS_CHANGED, null);
            }
        }
    }

    public int softThresholdPercent() {
        return softThresholdPercent;
    }

    public ThresholdState thresholdState() {
        return thresholdState;
    }

    /** How often writes sample the usage at most (tests shorten it; 0: after every write). */
    public void checkInterval(java.time.Duration d) {
        checkIntervalNanos = d.toNanos();
    }

    /** Writes refused for lack of space since the server started. */
    public long spaceAllocationFailures() {
        return spaceAllocationFailures.sum();
    }

    /** True from a write that ran out of space until the next write that did not. */
    public boolean outOfSpace() {
        return outOfSpace;
    }

    /** The store's space now (null when it has no space pool); samples the soft threshold. */
    public SpaceUsage usage() throws IOException {
        SpaceUsage u = store.spaceUsage();
        if (u != null) {
            apply(u);
        }
        return u;
    }

    /** {@code bytes} in threshold sets (2^exponent blocks), at most 2^32 - 1 (SBC-3 6.4.x RESOURCE COUNT). */
    public long thresholdSets(long bytes) {
        if (thresholdExponent == 0 || bytes <= 0) {
            return 0;
        }
        return Math.min(0xFFFF_FFFFL, (bytes / blockSize) >>> thresholdExponent);
    }

    /** The soft threshold as available space in bytes: the usage reaches it when no more is available. */
    public long softThresholdAvailableBytes(SpaceUsage u) {
        int pct = softThresholdPercent;
        return pct == 0 ? 0 : (long) (u.totalBytes() * ((100 - pct) / 100.0));
    }

    /**
     * The soft threshold in threshold sets of available resources, for the Logical Block
     * Provisioning mode page's threshold descriptor; 0 when none is set or space is unknown.
     */
    public long softThresholdSets() throws IOException {
        SpaceUsage u = softThresholdPercent == 0 ? null : store.spaceUsage();
        return u == null ? 0 : thresholdSets(softThresholdAvailableBytes(u));
    }

    /** A write ran out of space: counted; the first of an episode is logged and samples the usage. */
    void allocationFailed(OutOfSpaceException e) {
        spaceAllocationFailures.increment();
        if (!outOfSpace) {
            outOfSpace = true;
            log.warn("backstore {} ({}): out of space ({}); writes that need space are answered DATA PROTECT /"
                    + " SPACE ALLOCATION FAILED WRITE PROTECT (27h/07h) until space is freed", name, store,
                    e.getMessage());
            sampleNow();
        }
    }

    /** {@code bytes} were written: ends an out-of-space episode; samples the usage when due. */
    void allocated(long bytes) {
        if (outOfSpace) {
            outOfSpace = false;
            log.info("backstore {} ({}): writes succeed again after running out of space", name, store);
        }
        if (softThresholdPercent != 0) {
            long left = bytesBeforeSample.addAndGet(-bytes);
            long now = System.nanoTime();
            if (left <= 0 || now - nextCheckNanos.get() >= 0) {
                sampleNow();
            }
        }
    }

    /** UNMAP gave space back: the usage is sampled at once, which re-arms the threshold when below. */
    void deallocated() {
        if (softThresholdPercent != 0) {
            sampleNow();
        }
    }

    /** Samples the usage unless another thread is sampling right now (its sample serves both). */
    private void sampleNow() {
        if (!sampling.compareAndSet(false, true)) {
            return;
        }
        try {
            nextCheckNanos.set(System.nanoTime() + checkIntervalNanos);
            usage();
        } catch (IOException e) {
            log.debug("backstore {}: cannot read the space usage: {}", name, e.toString());
        } finally {
            sampling.set(false);
        }
    }

    /** Moves the threshold state for one sample; raises the unit attention when it is reached. */
    private synchronized void apply(SpaceUsage u) {
        int pct = softThresholdPercent;
        if (pct == 0) {
            thresholdState = ThresholdState.ARMED;
            return;
        }
        // Until the next sample this LU's own writes may use up the distance to the threshold.
        long distance = u.availableBytes() - softThresholdAvailableBytes(u);
        bytesBeforeSample.set(distance > 0 ? Math.max(distance, blockSize) : Long.MAX_VALUE);
        int used = u.usedPercent();
        if (used >= pct && thresholdState == ThresholdState.ARMED) {
            thresholdState = ThresholdState.REACHED;
            unitAttentions.establishForAll(UnitAttentions.SOFT_THRESHOLD_REACHED, null);
            log.warn("backstore {} ({}): thin provisioning soft threshold reached: file system {}% used (threshold {}%)",
                    name, store, used, pct);
        } else if (used < pct && thresholdState == ThresholdState.REACHED) {
            thresholdState = ThresholdState.ARMED;
            log.info("backstore {} ({}): file system {}% used, below the soft threshold of {}% again: re-armed",
                    name, store, used, pct);
        }
    }
}
