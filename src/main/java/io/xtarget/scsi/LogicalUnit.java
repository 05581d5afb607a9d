package io.xtarget.scsi;

import io.xtarget.backend.FlushFailedException;
import io.xtarget.backend.MissingStore;
import io.xtarget.backend.OutOfSpaceException;
import io.xtarget.backend.Store;
import io.xtarget.backend.StoreUnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.concurrent.atomic.LongAdder;

/**
 * A logical unit: a store plus the SCSI state that belongs to the device rather than to any
 * path to it (identity, unit attentions, reservations, mode parameters). One LU may be mapped
 * under several LUN numbers, targets and initiators; all of them share this object.
 */
public final class LogicalUnit {
    /** INQUIRY vendor and product: the same for every LU whatever its backend, so hosts that
     * compare them (VMware VAAI XCOPY) accept copies between any two xtarget LUs. */
    public static final String VENDOR = "XTARGET";
    public static final String PRODUCT = "xtarget-disk";
    public static final String REVISION = "0001";

    private final String name;
    /** The backend; a {@link MissingStore} while the image is missing, replaced once by {@link #restore}. */
    private volatile Store store;
    private final byte[] naa;
    private final String serial;
    private final UnitAttentions unitAttentions;
    private final Reservations reservations;
    private final ModeState mode = new ModeState();
    private final LbaLocks lbaLocks = new LbaLocks();
    /** Global order of LUs, for taking two LUs' stripes in {@link #copyTo} without deadlock. */
    private static final java.util.concurrent.atomic.AtomicLong ORDER = new java.util.concurrent.atomic.AtomicLong();
    private final long order = ORDER.incrementAndGet();
    private final TaskSet tasks = new TaskSet();
    private final SanitizeState sanitize = new SanitizeState();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    /** Recent read/write latency of the store, an exponential moving average in nanoseconds. */
    private volatile long ioNanos;
    /** Removable or not, loaded or not, and PREVENT ALLOW MEDIUM REMOVAL state per I_T nexus. */
    private final Medium medium;
    /** Healthy, or failed after a flush failure (writes and flushes refused). */
    private final LuHealth health;
    /**
     * Space left, soft threshold and out-of-space episodes of a thin LU on a file system; replaced
     * with the store by {@link #restore}.
     */
    private volatile ThinProvisioning provisioning;
    /** Bytes per physical block: the block size, or a power-of-two multiple of it ("512e"). */
    private final int physicalBlockSize;

    /**
     * A logical unit with a non-removable medium.
     *
     * @param name the backstore name from the config
     * @param store the backend
     * @param naa the 16-byte NAA 6 IEEE Registered Extended designator (SPC-4 7.8.6.6.5)
     * @param serial unit serial number (VPD 0x80)
     * @param powerOnAttention whether new initiator ports first see POWER ON OCCURRED
     */
    public LogicalUnit(String name, Store store, byte[] naa, String serial, boolean powerOnAttention) {
        this(name, store, naa, serial, powerOnAttention, false);
    }

    /**
     * @param removable whether the medium is removable (INQUIRY RMB=1): START STOP UNIT may then
     *     eject and load it, and medium access fails with NOT READY while it is ejected
     */
    public LogicalUnit(String name, Store store, byte[] naa, String serial, boolean powerOnAttention,
            boolean removable) {
        this(name, store, naa, serial, powerOnAttention, removable, store.blockSize());
    }

    /**
     * @param physicalBlockSize bytes per physical block, reported in READ CAPACITY(16) and VPD
     *     0xB0 (SBC-3 4.6): the logical block size, or a power-of-two multiple of it (e.g. 4096 on
     *     512-byte logical blocks, "512e"); the lowest aligned LBA is always 0
     */
    public LogicalUnit(String name, Store store, byte[] naa, String serial, boolean powerOnAttention,
            boolean removable, int physicalBlockSize) {
        int bs = store.blockSize();
        if (physicalBlockSize < bs || physicalBlockSize % bs != 0 || Integer.bitCount(physicalBlockSize / bs) != 1) {
            throw new IllegalArgumentException("physical block size " + physicalBlockSize
                    + " is not a power-of-two multiple of the block size " + bs);
        }
        this.physicalBlockSize = physicalBlockSize;
        if (naa.length != 16 || (naa[0] & 0xF0) != 0x60) {
            throw new IllegalArgumentException("NAA designator must be 16 bytes of NAA type 6");
        }
        this.name = name;
        this.store = store;
        this.naa = naa.clone();
        this.serial = serial;
        this.unitAttentions = new UnitAttentions(powerOnAttention);
        this.reservations = new Reservations(name, unitAttentions);
        this.medium = new Medium(removable);
        this.health = new LuHealth(name, this::store);
        this.provisioning = new ThinProvisioning(name, store, unitAttentions);
    }

    public String name() {
        return name;
    }

    public Store store() {
        return store;
    }

    /**
     * The image file, device or RBD image this LU's backstore should have but does not (deleted, a
     * block device that vanished, a file system that is not mounted, a Ceph cluster that could not
     * be reached), or null when the LU has its store. While it is missing the core answers every
     * command that touches the medium with NOT READY / LOGICAL UNIT NOT READY, MANUAL INTERVENTION
     * REQUIRED ({@link Sense#manualInterventionRequired}).
     */
    public String missingImage() {
        return store instanceof MissingStore m ? m.image() : null;
    }

    /**
     * The missing image is back (a config reload found it): the LU serves {@code restored} from
     * now on, and every I_T nexus gets NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED (28h/00h,
     * SPC-4 Annex D: the LU went from not ready to ready), so initiators read the capacity again.
     * Its provisioning starts afresh over the restored store, soft threshold off until the
     * backstore's settings are applied again.
     *
     * @throws IllegalStateException when the LU's image was not missing
     */
    public synchronized void restore(Store restored) {
        if (!(store instanceof MissingStore)) {
            throw new IllegalStateException(name + " has its store");
        }
        store = restored;
        provisioning = new ThinProvisioning(name, restored, unitAttentions);
        unitAttentions.establishForAll(UnitAttentions.MEDIUM_MAY_HAVE_CHANGED, null);
    }

    public byte[] naa() {
        return naa.clone();
    }

    /**
     * The designators associated with this logical unit, in VPD 0x83 order: the NAA 6 IEEE
     * Registered Extended designator, a T10 vendor ID based one ({@link #t10VendorSpecific}) and an
     * 8-byte EUI-64 based one (SPC-4 7.8.6.5: the NAA's company ID, then the last 40 bits of its
     * random vendor-specific part). The NAA stays the only NAA designator, which hosts that pick
     * "the" NAA rely on; the EUI-64 fits a copy descriptor's 20-byte field, the T10 one does not.
     */
    public java.util.List<Designator> designators() {
        byte[] t10 = (String.format("%-8s", VENDOR) + t10VendorSpecific(naaHex()))
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] eui = new byte[8];
        eui[0] = (byte) (((naa[0] & 0x0F) << 4) | ((naa[1] >>> 4) & 0x0F));
        eui[1] = (byte) (((naa[1] & 0x0F) << 4) | ((naa[2] >>> 4) & 0x0F));
        eui[2] = (byte) (((naa[2] & 0x0F) << 4) | ((naa[3] >>> 4) & 0x0F));
        System.arraycopy(naa, 11, eui, 3, 5);
        return java.util.List.of(new Designator(Designator.CODE_SET_BINARY, Designator.TYPE_NAA, naa),
                new Designator(Designator.CODE_SET_ASCII, Designator.TYPE_T10_VENDOR_ID, t10),
                new Designator(Designator.CODE_SET_BINARY, Designator.TYPE_EUI64, eui));
    }

    /**
     * The VENDOR SPECIFIC IDENTIFIER of the T10 vendor ID based designator (SPC-4 7.8.6.4): the
     * NAA's last 8 hex digits, then the whole NAA. VMware ESXi and Hyper-V tell LUs apart by the
     * first 8 characters after the 8-byte vendor field only; the NAA's leading digits are the
     * same company ID on every LU, its last digits are the random (or administrator numbered) part,
     * so they come first. Stable as the NAA is (persisted in the config); the config keeps them
     * unique among backstores ({@code io.xtarget.config.ConfigValidator}).
     *
     * @param naaHex the NAA as 32 hex digits
     */
    public static String t10VendorSpecific(String naaHex) {
        return naaHex.substring(naaHex.length() - T10_UNIQUE_CHARS) + naaHex;
    }

    /** How many leading characters of {@link #t10VendorSpecific} hosts compare to tell LUs apart. */
    public static final int T10_UNIQUE_CHARS = 8;

    public String naaHex() {
        return HexFormat.of().formatHex(naa);
    }

    public String serial() {
        return serial;
    }

    public int blockSize() {
        return store.blockSize();
    }

    public long blockCount() {
        return store.blockCount();
    }

    public int physicalBlockSize() {
        return physicalBlockSize;
    }

    /** Logical blocks per physical block: a power of two, 1 unless the LU is configured "512e"-like. */
    public int logicalPerPhysical() {
        return physicalBlockSize / blockSize();
    }

    public UnitAttentions unitAttentions() {
        return unitAttentions;
    }

    public Reservations reservations() {
        return reservations;
    }

    public ModeState mode() {
        return mode;
    }

    /** The tasks of every I_T nexus that entered this LU's task sets and have not ended. */
    public TaskSet tasks() {
        return tasks;
    }

    public Medium medium() {
        return medium;
    }

    /** Sanitize operations on this LU: idle, in progress or failed (SBC-4 4.11). */
    public SanitizeState sanitize() {
        return sanitize;
    }

    /** Whether writes and flushes still go to the store ({@link LuHealth}). */
    public LuHealth health() {
        return health;
    }

    /** Space and thresholds of logical block provisioning ({@link ThinProvisioning}). */
    public ThinProvisioning provisioning() {
        return provisioning;
    }

    /** True when the medium is removable (INQUIRY RMB). */
    public boolean removable() {
        return medium.removable();
    }

    /** True while any I_T nexus prevents medium removal. */
    public boolean preventRemoval() {
        return medium.prevented();
    }

    /** True when [lba, lba+blocks) lies inside the medium (no overflow). */
    public boolean inRange(long lba, long blocks) {
        long count = blockCount();
        return lba >= 0 && blocks >= 0 && lba <= count && blocks <= count - lba;
    }

    // ---- the data path every command set and the copy engine share ----

    /** Reads {@code dst.remaining()} bytes starting at a logical block. */
    public void read(long lba, ByteBuffer dst) throws IOException {
        readBytes(lba * blockSize(), dst);
    }

    /**
     * Reads at a byte offset (the copy engine's byte-granular segments use this). The stripes are
     * held shared, so a read never sees half of a WRITE ATOMIC, COMPARE AND WRITE or ORWRITE.
     */
    public void readBytes(long offset, ByteBuffer dst) throws IOException {
        int n = dst.remaining();
        try (LbaLocks.Held h = lockBytes(offset, n)) {
            long t0 = System.nanoTime();
            store.read(offset, dst);
            sample(t0, n);
        }
        bytesRead.add(n);
    }

    /**
     * Writes {@code src.remaining()} bytes starting at a logical block; FUA, or WCE off, makes it
     * durable. Refused while the LU is failed; a durable write whose flush fails fails the LU.
     */
    public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
        writeBytes(lba * blockSize(), src, fua);
    }

    public void writeBytes(long offset, ByteBuffer src, boolean fua) throws IOException {
        health.requireHealthy();
        int n = src.remaining();
        try (LbaLocks.Held h = lockBytes(offset, n)) {
            long t0 = System.nanoTime();
            store.write(offset, src, fua || !mode.writeCacheEnabled);
            sample(t0, n);
        } catch (FlushFailedException e) {
            health.flushFailed(e);
            throw e;
        } catch (OutOfSpaceException e) {
            provisioning.allocationFailed(e);
            throw e;
        }
        bytesWritten.add(n);
        provisioning.allocated(n);
    }

    /**
     * WRITE SAME by the store itself ({@link Store#writeSame}), like {@link #write} for health,
     * provisioning and counters: {@code block} repeated over {@code blocks} blocks from {@code lba}.
     *
     * @return false when the store has no such operation (nothing written: the caller replicates)
     */
    public boolean writeSame(long lba, long blocks, ByteBuffer block, boolean fua) throws IOException {
        health.requireHealthy();
        long n = blocks * blockSize();
        boolean done;
        try (LbaLocks.Held h = lbaLocks.shared(lba, blocks)) {
            done = store.writeSame(lba * blockSize(), n, block, fua || !mode.writeCacheEnabled);
        } catch (FlushFailedException e) {
            health.flushFailed(e);
            throw e;
        } catch (OutOfSpaceException e) {
            provisioning.allocationFailed(e);
            throw e;
        }
        if (done) {
            bytesWritten.add(n);
            provisioning.allocated(n);
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
        health.requireHealthy();
        int n = data.remaining();
        long r;
        try {
            r = store.compareAndWrite(lba * blockSize(), verify, data, fua || !mode.writeCacheEnabled);
        } catch (FlushFailedException e) {
            health.flushFailed(e);
            throw e;
        } catch (OutOfSpaceException e) {
            provisioning.allocationFailed(e);
            throw e;
        }
        if (r != Store.NO_COMPARE_AND_WRITE) {
            bytesRead.add(n);
        }
        if (r == Store.COMPARE_MATCHED) {
            bytesWritten.add(n);
            provisioning.allocated(n);
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
        int bs = blockSize();
        long first = offset / bs;
        long last = (offset + Math.max(1, length) - 1) / bs;
        return lbaLocks.shared(first, last - first + 1);
    }

    /**
     * The copy engine's fast path: asks the source store to copy straight into {@code dst}'s store
     * ({@link Store#copyTo}). Counts the bytes like reads and writes. The source range is held
     * shared like a read, the destination range like a write (one pass when both are on this LU;
     * else the LUs in their global order), so the copy never sees or splits an atomic write.
     *
     * @return bytes copied (possibly fewer than asked), or -1 when the stores have no fast path
     */
    public long copyTo(long srcOffset, LogicalUnit dst, long dstOffset, long length) throws IOException {
        dst.health.requireHealthy();
        long n;
        try (LbaLocks.Held h = lockForCopy(srcOffset, dst, dstOffset, length)) {
            n = store.copyTo(srcOffset, dst.store, dstOffset, length);
        } catch (OutOfSpaceException e) {
            dst.provisioning.allocationFailed(e);
            throw e;
        }
        if (n > 0) {
            bytesRead.add(n);
            dst.bytesWritten.add(n);
            dst.provisioning.allocated(n);
        }
        return n;
    }

    private LbaLocks.Held lockForCopy(long srcOffset, LogicalUnit dst, long dstOffset, long length) {
        if (dst == this) {
            int bs = blockSize();
            long n = Math.max(1, length);
            return lbaLocks.shared(srcOffset / bs, (srcOffset + n - 1) / bs - srcOffset / bs + 1,
                    dstOffset / bs, (dstOffset + n - 1) / bs - dstOffset / bs + 1);
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

    /** Above this average latency per 64 KiB or less, the store counts as slow (a disk, not a cache). */
    private static final long SLOW_IO_NANOS = 200_000;

    /** Folds one read or write into the latency average (only I/O of at most 64 KiB: large ones are slow anyway). */
    private void sample(long startNanos, int bytes) {
        if (bytes <= 65536) {
            long d = System.nanoTime() - startNanos;
            ioNanos += (d - ioNanos) / 8;
        }
    }

    /**
     * Whether small reads and writes complete at memory speed: always for memory stores, and for
     * file and device stores while their recent latency says the data is in the page cache. A
     * fabric runs quick commands of a fast LU on its receiving thread, the others on workers.
     */
    public boolean fastIo() {
        return switch (store.speed()) {
            case MEMORY -> true;
            case CACHED -> ioNanos < SLOW_IO_NANOS;
            case UNKNOWN -> false;
        };
    }

    /**
     * Makes every completed write durable. Refused while the LU is failed; a failure fails the LU
     * (whatever exception the store threw, it is reported as a {@link FlushFailedException}), but
     * for a store that cannot be reached now ({@link StoreUnavailableException}).
     */
    public void flush() throws IOException {
        health.requireHealthy();
        try {
            store.flush();
        } catch (StoreUnavailableException e) {
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
            store.unmap(lba * blockSize(), blocks * blockSize());
        } catch (OutOfSpaceException e) {
            provisioning.allocationFailed(e); // a store that writes zeros for UNMAP may need space
            throw e;
        }
        provisioning.deallocated();
    }

    /**
     * How many blocks from {@code lba} share its provisioning status, and which: mapped, or
     * deallocated (reads return zeros). From the store ({@link Store#extentAt}); at least one block.
     */
    public Store.Extent blockExtentAt(long lba) throws IOException {
        Store.Extent e = store.extentAt(lba * blockSize());
        return new Store.Extent(Math.max(1, e.length() / blockSize()), e.mapped());
    }

    public long bytesRead() {
        return bytesRead.sum();
    }

    public long bytesWritten() {
        return bytesWritten.sum();
    }

    @Override
    public String toString() {
        return name + "(" + store.kind() + ", naa." + naaHex() + ")";
    }
}
