package io.xtarget.scsi;

import io.xtarget.backend.MissingStore;
import io.xtarget.backend.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.HexFormat;

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
    private final TaskSet tasks = new TaskSet();
    private final SanitizeState sanitize = new SanitizeState();
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
    /** Reads, writes, locks, flush and unmap on the store. */
    private final LuDataPath data;

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
        this.data = new LuDataPath(this::store, () -> provisioning, health, mode);
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

    // ---- the data path every command set and the copy engine share ({@link LuDataPath}) ----

    /** Reads {@code dst.remaining()} bytes starting at a logical block, stripes held shared. */
    public void read(long lba, ByteBuffer dst) throws IOException {
        data.read(lba, dst);
    }

    /** Reads at a byte offset (the copy engine's byte-granular segments). */
    public void readBytes(long offset, ByteBuffer dst) throws IOException {
        data.readBytes(offset, dst);
    }

    /** Scatter read into a fabric's own buffers, one store call per buffer. */
    public void read(long lba, ByteBuffer[] dsts) throws IOException {
        data.read(lba, dsts);
    }

    /** Writes {@code src.remaining()} bytes from a logical block; durable with FUA or WCE off. */
    public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
        data.write(lba, src, fua);
    }

    public void writeBytes(long offset, ByteBuffer src, boolean fua) throws IOException {
        data.writeBytes(offset, src, fua);
    }

    /** Gather write from a fabric's own buffers, one store call per buffer. */
    public void write(long lba, ByteBuffer[] srcs, boolean fua) throws IOException {
        data.write(lba, srcs, fua);
    }

    /** Whether its store starts reads and writes that complete on the store's threads. */
    public boolean startsIo() {
        return data.startsIo();
    }

    /** A read started without blocking, stripes held until it completes; null: use {@link #read(long, ByteBuffer)}. */
    public CompletableFuture<Void> startRead(long lba, ByteBuffer dst) {
        return data.startRead(lba, dst);
    }

    /** A write started without blocking; null: use {@link #write(long, ByteBuffer, boolean)}. */
    public CompletableFuture<Void> startWrite(long lba, ByteBuffer src, boolean fua) {
        return data.startWrite(lba, src, fua);
    }

    /** WRITE SAME by the store; false when it has none (nothing written). */
    public boolean writeSame(long lba, long blocks, ByteBuffer block, boolean fua) throws IOException {
        return data.writeSame(lba, blocks, block, fua);
    }

    /** COMPARE AND WRITE by the store: {@link Store#COMPARE_MATCHED}, a miscompare offset or {@link Store#NO_COMPARE_AND_WRITE}. */
    public long compareAndWrite(long lba, ByteBuffer verify, ByteBuffer data, boolean fua) throws IOException {
        return this.data.compareAndWrite(lba, verify, data, fua);
    }

    /** Holds [lba, lba+blocks) against every other write and read of this LU. */
    public LbaLocks.Held lockExclusive(long lba, long blocks) {
        return data.lockExclusive(lba, blocks);
    }

    /** The copy engine's store-to-store fast path: bytes copied, or -1 without one. */
    public long copyTo(long srcOffset, LogicalUnit dst, long dstOffset, long length) throws IOException {
        return data.copyTo(srcOffset, dst.data, dstOffset, length);
    }

    /** Whether small reads and writes complete at memory speed (a fabric may run them inline). */
    public boolean fastIo() {
        return data.fastIo();
    }

    /** Makes every completed write durable; a failure fails the LU. */
    public void flush() throws IOException {
        data.flush();
    }

    /** Deallocates whole logical blocks (reads return zeros after). */
    public void unmap(long lba, long blocks) throws IOException {
        data.unmap(lba, blocks);
    }

    /** Blocks from {@code lba} sharing its provisioning status (at least one). */
    public Store.Extent blockExtentAt(long lba) throws IOException {
        return data.blockExtentAt(lba);
    }

    public long bytesRead() {
        return data.bytesRead();
    }

    public long bytesWritten() {
        return data.bytesWritten();
    }

    @Override
    public String toString() {
        return name + "(" + store.kind() + ", naa." + naaHex() + ")";
    }
}
