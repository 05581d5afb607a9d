package io.xtarget.backend.rbd;

import io.xtarget.backend.Bounds;
import io.xtarget.backend.LockOwnership;
import io.xtarget.backend.PeerChannel;
import io.xtarget.backend.Store;
import io.xtarget.backend.StoreFencedException;
import io.xtarget.backend.StoreGeometry;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A store on a Ceph RBD image through librbd ({@link RbdImage}).
 *
 * <p><b>Started and blocking I/O.</b> READ and WRITE start without blocking ({@link #startRead},
 * {@link #startWrite}): the connection's thread submits rbd_aio_read / rbd_aio_write2 and librbd's
 * callback thread completes the command, so no thread waits per command. Everything else, and a
 * start that cannot go ahead at once (FUA, a heap buffer, the lock elsewhere or being handed
 * over, a closing or fenced image), uses the blocking calls of the {@link Store} contract: each
 * submits one rbd_aio_* request and waits for its completion ({@link RbdCompletion#await}) on the
 * caller's thread (a worker of the SCSI core, or a virtual thread of the copy engine, which then
 * frees its carrier).
 *
 * <p><b>Memory.</b> A direct buffer is passed to librbd as it is ({@code MemorySegment.ofBuffer}):
 * no copy. A heap buffer (tests, small internal users) goes through native memory of the call.
 *
 * <p><b>Native operations.</b> UNMAP is rbd_aio_discard, WRITE SAME rbd_aio_writesame, COMPARE
 * AND WRITE rbd_aio_compare_and_write (atomic on the OSD, so it holds across gateways), a flush
 * and the durable part of FUA rbd_aio_flush, GET LBA STATUS rbd_diff_iterate2.
 *
 * <p><b>Errors</b> ({@link RbdErrors}): EIO and most others are plain IOExceptions (MEDIUM ERROR),
 * ENOSPC and EDQUOT {@link io.xtarget.backend.OutOfSpaceException}, a blocklisted or shut down
 * client and a write refused for another client's lock {@link StoreFencedException}, timeouts
 * {@link io.xtarget.backend.StoreUnavailableException} (NOT READY), a failed flush
 * {@link io.xtarget.backend.FlushFailedException}.
 *
 * <p><b>Gateways</b> ({@link LockOwnership}, {@link RbdLockHandoff}, {@link RbdHome}): writes take
 * the image's exclusive lock from the gateway holding it, cooperatively; one gateway is the
 * image's home (active/optimized). Once an operation or a lock
 * check finds this client blocklisted, the store is fenced: every operation fails at once with
 * {@link StoreFencedException} (never reaching librbd) until {@link #recover} opened the image on
 * a new cluster connection ({@link RbdImageGate}).
 */
public final class RbdStore implements Store, LockOwnership {
    /** How far {@link #extentAt} looks in one call: 64 objects of 4 MiB. */
    static final long EXTENT_WINDOW_BYTES = 256L << 20;

    /** The image, replaced after fencing; operations hold its gate shared while in flight. */
    private final RbdImageGate gate;
    /** The exclusive lock between gateways: borrowed for writes, the home lease. */
    private final RbdLockHandoff handoff;
    /** Which gateway is active/optimized for the image. */
    private final RbdHome home;
    /** READ and WRITE started without blocking. */
    private final RbdStartedIo started;
    private final int blockSize;
    private final long sizeBytes;
    /** librbd's compare and write stays within one sector (Ceph 16): learnt from its first EINVAL. */
    private volatile boolean sectorOnlyCompareAndWrite;
    /** The unit of librbd's compare and write limit. */
    private static final int SECTOR = 512;

    private RbdStore(RbdImage image, int blockSize, long sizeBytes) {
        this.gate = new RbdImageGate(image);
        this.handoff = new RbdLockHandoff(gate);
        this.home = new RbdHome(gate, handoff);
        this.started = new RbdStartedIo(gate, handoff, sizeBytes);
        this.blockSize = blockSize;
        this.sizeBytes = sizeBytes;
    }

    /**
     * Opens an RBD image, creating a missing one when {@code create} is set and a size is given.
     * An existing image keeps its size, rounded down to whole blocks; it is an error when it is
     * smaller than a requested size (xtarget never resizes an image) or holds no whole block.
     *
     * @param requestedSize bytes, a positive multiple of {@code blockSize}; or 0 to require an
     *     existing image and use its size
     * @throws java.nio.file.NoSuchFileException when the pool or the image does not exist and is
     *     not created
     * @throws io.xtarget.backend.StoreUnavailableException when the cluster cannot be reached
     */
    public static RbdStore open(RbdImageSpec spec, int blockSize, long requestedSize, boolean create)
            throws IOException {
        if (!StoreGeometry.isValidBlockSize(blockSize)) {
            throw new IOException("block size must be 512 or 4096, not " + blockSize);
        }
        if (requestedSize < 0 || requestedSize % blockSize != 0) {
            throw new IOException("size " + requestedSize + " is not a multiple of the block size " + blockSize);
        }
        RbdImage image = RbdImage.open(spec, create ? requestedSize : 0);
        try {
            long usable = image.sizeBytes() - image.sizeBytes() % blockSize;
            if (requestedSize > usable) {
                throw new IOException(spec + " holds " + image.sizeBytes() + " bytes, less than the requested "
                        + requestedSize);
            }
            if (usable == 0) {
                throw new IOException(spec + " is smaller than one " + blockSize + "-byte block");
            }
            return new RbdStore(image, blockSize, usable);
        } catch (IOException | RuntimeException e) {
            image.close();
            throw e;
        }
    }

    /** Whether librbd can be loaded here (Debian package librbd1). */
    public static boolean libraryAvailable() {
        return Librbd.available();
    }

    public RbdImageSpec spec() {
        return gate.spec();
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public String kind() {
        return "rbd";
    }

    /** Every request crosses the network to an OSD. */
    @Override
    public Speed speed() {
        return Speed.UNKNOWN;
    }

    /** An operation in flight: holds the gate shared, so close and recover wait for it. */
    private RbdImage enter() throws IOException {
        return gate.enter();
    }

    private void exit() {
        gate.exit();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int n = dst.remaining();
        check(offset, n);
        if (n == 0) {
            return;
        }
        RbdImage image = enter();
        try (Arena arena = dst.isDirect() ? null : Arena.ofConfined()) {
            MemorySegment buf = arena == null ? MemorySegment.ofBuffer(dst) : arena.allocate(n);
            gate.requireRead(image.read(offset, buf).await(), n, offset);
            if (arena != null) {
                dst.put(dst.position(), buf.asByteBuffer(), 0, n);
            }
            dst.position(dst.position() + n);
        } finally {
            exit();
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        int n = src.remaining();
        check(offset, n);
        if (n == 0) {
            if (fua) {
                flush();
            }
            return;
        }
        RbdImage image = handoff.enterForWrite();
        try (Arena arena = src.isDirect() ? null : Arena.ofConfined()) {
            MemorySegment buf = nativeView(src, arena);
            long rv = image.write(offset, buf, fua).await();
            if (rv < 0) {
                throw gate.failure("write of " + n + " bytes of " + spec() + " at " + offset, (int) -rv);
            }
            src.position(src.position() + n);
        } finally {
            handoff.exitWrite();
        }
        if (fua) {
            flush();
        }
    }

    /** rbd_aio_read and rbd_aio_write complete on librbd's threads: nobody needs to wait per command. */
    @Override
    public boolean startsIo() {
        return true;
    }

    /** {@link RbdStartedIo#startRead}: null when it must go the blocking way ({@link #read}). */
    @Override
    public CompletableFuture<Void> startRead(long offset, ByteBuffer dst) {
        return started.startRead(offset, dst);
    }

    /** {@link RbdStartedIo#startWrite}: null when it must go the blocking way ({@link #write}). */
    @Override
    public CompletableFuture<Void> startWrite(long offset, ByteBuffer src, boolean fua) {
        return started.startWrite(offset, src, fua);
    }

    /**
     * rbd_aio_flush; {@code rbd_cache} is off, so it waits for writes in flight, which are then
     * durable. librbd refuses a flush from a client that does not hold the exclusive lock while
     * another one does ({@code -EROFS}): such a client has no write in flight (writes need the
     * lock) and every write it completed is on the OSDs, so there is nothing to flush and the
     * flush succeeds (a gateway serving an image active/non-optimized gets the SYNCHRONIZE CACHE
     * a host sends when it closes that path's device).
     */
    @Override
    public void flush() throws IOException {
        RbdImage image = enter();
        try {
            long rv = image.flush().await();
            if (rv == -RbdErrors.EROFS) {
                return;
            }
            if (rv < 0) {
                throw gate.noted(RbdErrors.flushFailure("flush of " + spec(), (int) -rv));
            }
        } finally {
            exit();
        }
    }

    /** rbd_aio_discard: later reads return zeros (partial objects are zeroed, see {@link RbdCluster}). */
    @Override
    public void unmap(long offset, long length) throws IOException {
        check(offset, length);
        if (length == 0) {
            return;
        }
        RbdImage image = handoff.enterForWrite();
        try {
            long rv = image.discard(offset, length).await();
            if (rv < 0) {
                throw gate.failure("discard of " + length + " bytes of " + spec() + " at " + offset, (int) -rv);
            }
        } finally {
            handoff.exitWrite();
        }
    }

    /** rbd_aio_writesame: librbd replicates the block on the OSDs; nothing crosses the network per block. */
    @Override
    public boolean writeSame(long offset, long length, ByteBuffer block, boolean fua) throws IOException {
        int n = block.remaining();
        if (n == 0 || length % n != 0) {
            throw new IllegalArgumentException("length " + length + " is not a multiple of the pattern's " + n);
        }
        check(offset, length);
        if (length == 0) {
            return true;
        }
        RbdImage image = handoff.enterForWrite();
        try (Arena arena = block.isDirect() ? null : Arena.ofConfined()) {
            long rv = image.writeSame(offset, length, nativeView(block, arena), fua).await();
            if (rv < 0) {
                throw gate.failure("writesame of " + length + " bytes of " + spec() + " at " + offset, (int) -rv);
            }
        } finally {
            handoff.exitWrite();
        }
        if (fua) {
            flush();
        }
        return true;
    }

    /**
     * rbd_aio_compare_and_write: the OSD compares and writes in one operation, so no other client
     * of the image (another gateway, a VM) can write in between.
     *
     * <p>librbd of Ceph 16 (Debian 12) compares and writes only within one 512-byte sector of an
     * object, and refuses more with EINVAL before touching anything: one logical block of a
     * 512-byte LU, what VMware's ATS locking sends. The first refused larger range makes this
     * store answer {@link #NO_COMPARE_AND_WRITE} for ranges beyond a sector from then on (the SCSI
     * core then compares and writes under its own locks: atomic within this server, not against
     * other gateways); a newer librbd that accepts them is used for them too.
     */
    @Override
    public long compareAndWrite(long offset, ByteBuffer verify, ByteBuffer data, boolean fua) throws IOException {
        int n = data.remaining();
        if (verify.remaining() != n) {
            throw new IllegalArgumentException("verify and write data differ in length");
        }
        check(offset, n);
        boolean beyondSector = offset % SECTOR + n > SECTOR;
        if (beyondSector && sectorOnlyCompareAndWrite) {
            return NO_COMPARE_AND_WRITE;
        }
        RbdImage image = handoff.enterForWrite();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mismatch = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment cmp = verify.isDirect() ? MemorySegment.ofBuffer(verify) : copy(verify, arena);
            MemorySegment buf = data.isDirect() ? MemorySegment.ofBuffer(data) : copy(data, arena);
            long rv = image.compareAndWrite(offset, cmp, buf, mismatch, fua).await();
            if (rv == -RbdErrors.EILSEQ) {
                return mismatch.get(ValueLayout.JAVA_LONG, 0);
            }
            if (rv == -RbdErrors.EINVAL && beyondSector) {
                sectorOnlyCompareAndWrite = true;
                return NO_COMPARE_AND_WRITE;
            }
            if (rv < 0) {
                throw gate.failure("compare and write of " + n + " bytes of " + spec() + " at " + offset, (int) -rv);
            }
        } finally {
            handoff.exitWrite();
        }
        if (fua) {
            flush();
        }
        return COMPARE_MATCHED;
    }

    /**
     * From rbd_diff_iterate2 over at most {@link #EXTENT_WINDOW_BYTES} from {@code offset}: a run of
     * allocated bytes (rounded out to whole blocks: a block holding any data is mapped), or the
     * run of whole blocks up to the next allocated byte (or the end of the window).
     */
    @Override
    public Extent extentAt(long offset) throws IOException {
        check(offset, 1);
        long window = Math.min(EXTENT_WINDOW_BYTES, sizeBytes - offset);
        List<long[]> extents;
        RbdImage image = enter();
        try {
            extents = image.allocatedExtents(offset, window);
        } catch (IOException e) {
            throw gate.noted(e);
        } finally {
            exit();
        }
        long end = offset + window;
        if (extents.isEmpty()) {
            return new Extent(window, false);
        }
        long[] first = extents.getFirst();
        long holeEnd = Math.max(offset, first[0] - first[0] % blockSize); // the block holding the first data byte
        if (holeEnd > offset) {
            return new Extent(holeEnd - offset, false);
        }
        long dataEnd = Math.min(end, first[0] + first[1]);
        dataEnd = Math.min(sizeBytes, dataEnd + (blockSize - dataEnd % blockSize) % blockSize);
        return new Extent(Math.max(dataEnd - offset, blockSize), true);
    }

    private void check(long offset, long length) throws IOException {
        Bounds.check(offset, length, sizeBytes);
    }

    /** The buffer's remaining bytes as native memory: itself when direct, else a copy in {@code arena}. */
    private static MemorySegment nativeView(ByteBuffer b, Arena arena) {
        return arena == null ? MemorySegment.ofBuffer(b) : copy(b, arena);
    }

    private static MemorySegment copy(ByteBuffer b, Arena arena) {
        MemorySegment m = arena.allocate(b.remaining());
        m.copyFrom(MemorySegment.ofBuffer(b));
        return m;
    }

    /** {@link RbdHome#holdHome}: gateway mode from the first call on. */
    @Override
    public boolean holdHome() throws IOException {
        return home.holdHome();
    }

    /** {@link RbdHome#claimHome}. */
    @Override
    public void claimHome() throws IOException {
        home.claimHome();
    }

    /** {@link RbdHome#releaseHome}. */
    @Override
    public void releaseHome() throws IOException {
        home.releaseHome();
    }

    /** A {@link RadosNotifyChannel} on this image, on a cluster connection of its own. */
    @Override
    public PeerChannel openPeerChannel(Consumer<byte[]> listener) throws IOException {
        return RadosNotifyChannel.open(spec(), listener);
    }

    @Override
    public boolean fenced() {
        return gate.fenced();
    }

    /** The lock handoff, for tests of this package. */
    RbdLockHandoff handoffForTests() {
        return handoff;
    }

    /** The image and its gate, for tests of this package. */
    RbdImageGate gateForTests() {
        return gate;
    }

    /** {@link RbdImageGate#recover}: the image opened anew on a new cluster connection, not owning the lock. */
    @Override
    public void recover(Duration refuseWritesFor) throws IOException {
        boolean wasFenced = gate.fenced();
        gate.recover();
        if (wasFenced) {
            handoff.refuseWritesFor(refuseWritesFor);
        }
    }

    /** Waits for operations in flight, then closes the image (and the cluster connection with the last image). */
    @Override
    public void close() throws IOException {
        try {
            handoff.close();
        } finally {
            gate.close();
        }
    }

    @Override
    public String toString() {
        return "RbdStore(" + spec() + ", " + sizeBytes + " bytes)";
    }
}
