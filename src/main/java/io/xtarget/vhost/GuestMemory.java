package io.xtarget.vhost;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The guest's memory as the front-end shared it (vhost-user VHOST_USER_SET_MEM_TABLE, "Memory
 * access"): up to eight regions, each mapped from the file descriptor that came with the message
 * at its mmap offset. Translates the two kinds of address the protocol uses: guest physical
 * addresses (descriptor buffers, virtio 1.1 2.6.5) and the front-end's user addresses (the ring
 * addresses of VHOST_USER_SET_VRING_ADDR, without VIRTIO_F_IOMMU_PLATFORM).
 *
 * <p>Every address comes from an untrusted guest or front-end, so a translation succeeds only when
 * the whole range lies in mapped regions (unsigned arithmetic, no overflow), else it throws a
 * {@link DeviceException}. A region must fit in its file (its size is checked with lseek), since
 * touching a mapping beyond the end of its file raises SIGBUS.
 *
 * <p>Lifetime: a table is replaced while commands may still use the old one, so it is reference
 * counted: the session holds one reference, every request in flight another ({@link #acquire},
 * {@link #release}); the last release unmaps it. The mappings live in a shared arena, so even a
 * stray access after that fails with an exception instead of touching unmapped memory.
 */
final class GuestMemory {
    /** Longest region accepted (1 TiB); regions are guest RAM, never more. */
    static final long MAX_REGION_BYTES = 1L << 40;
    static final int MAX_REGIONS = 8;
    private static final long PAGE = 4096;

    /** One region: where the guest and the front-end see it, and our mapping of it. */
    record Region(long guestAddress, long size, long userAddress, MemorySegment host) {}

    /** A region as the message describes it (vhost-user "Memory regions description"). */
    record RegionSpec(long guestAddress, long size, long userAddress, long mmapOffset) {}

    private final List<Region> regions;
    private final Arena arena;
    private final AtomicInteger refs = new AtomicInteger(1);

    private GuestMemory(List<Region> regions, Arena arena) {
        this.regions = List.copyOf(regions);
        this.arena = arena;
    }

    /** Memory made of segments the caller owns (tests: a buffer filled like a driver would). */
    static GuestMemory of(List<Region> regions) {
        return new GuestMemory(regions, null);
    }

    /**
     * Maps {@code specs} from {@code fds} (same order and count). The descriptors are the caller's
     * to close: a mapping stays valid after its descriptor is closed.
     */
    static GuestMemory map(List<RegionSpec> specs, List<Integer> fds) throws DeviceException {
        if (specs.isEmpty() || specs.size() > MAX_REGIONS || specs.size() != fds.size()) {
            throw new DeviceException("memory table of " + specs.size() + " regions with " + fds.size()
                    + " file descriptors (1 to " + MAX_REGIONS + ", one each)");
        }
        Arena arena = Arena.ofShared();
        List<Region> regions = new ArrayList<>();
        try {
            for (int i = 0; i < specs.size(); i++) {
                RegionSpec s = specs.get(i);
                check(s, i);
                int fd = fds.get(i);
                long fileSize = UnixFds.fileSize(fd);
                if (Long.compareUnsigned(s.mmapOffset(), fileSize) > 0 || s.size() > fileSize - s.mmapOffset()) {
                    throw new DeviceException("region " + i + " (offset " + s.mmapOffset() + ", " + s.size()
                            + " bytes) lies beyond its file of " + fileSize + " bytes");
                }
                long aligned = s.mmapOffset() & ~(PAGE - 1);
                long delta = s.mmapOffset() - aligned;
                long length = s.size() + delta;
                MemorySegment raw = UnixFds.mmapShared(fd, length, aligned);
                long base = raw.address();
                MemorySegment mapped = raw.reinterpret(length, arena, seg -> UnixFds.munmap(base, length));
                regions.add(new Region(s.guestAddress(), s.size(), s.userAddress(), mapped.asSlice(delta, s.size())));
            }
        } catch (IOException e) {
            arena.close();
            throw new DeviceException("cannot map guest memory: " + e.getMessage(), e);
        } catch (DeviceException | RuntimeException e) {
            arena.close();
            throw e;
        }
        return new GuestMemory(regions, arena);
    }

    private static void check(RegionSpec s, int i) throws DeviceException {
        if (s.size() <= 0 || s.size() > MAX_REGION_BYTES) {
            throw new DeviceException("region " + i + " of " + Long.toUnsignedString(s.size())
                    + " bytes (1 byte to 1 TiB)");
        }
        if (Long.compareUnsigned(s.guestAddress() + s.size() - 1, s.guestAddress()) < 0
                || Long.compareUnsigned(s.userAddress() + s.size() - 1, s.userAddress()) < 0
                || s.mmapOffset() < 0) {
            throw new DeviceException("region " + i + " wraps around the address space");
        }
    }

    List<Region> regions() {
        return regions;
    }

    /** {@code length} bytes at guest physical address {@code gpa}, all in one region. */
    MemorySegment guest(long gpa, long length) throws DeviceException {
        for (Region r : regions) {
            MemorySegment s = slice(r.host(), r.guestAddress(), r.size(), gpa, length);
            if (s != null) {
                return s;
            }
        }
        throw new DeviceException("guest address 0x" + Long.toHexString(gpa) + " + " + length
                + " is outside guest memory");
    }

    /** {@code length} bytes at the front-end's user address {@code uva}, all in one region. */
    MemorySegment user(long uva, long length) throws DeviceException {
        for (Region r : regions) {
            MemorySegment s = slice(r.host(), r.userAddress(), r.size(), uva, length);
            if (s != null) {
                return s;
            }
        }
        throw new DeviceException("front-end address 0x" + Long.toHexString(uva) + " + " + length
                + " is outside guest memory");
    }

    /**
     * Appends the pieces of {@code length} bytes at guest address {@code gpa} to {@code out}: one
     * piece, or several when the range runs on across regions that adjoin in guest memory.
     */
    void guestPieces(long gpa, long length, List<MemorySegment> out) throws DeviceException {
        long at = gpa;
        long left = length;
        do {
            Region r = containing(at);
            if (r == null) {
                throw new DeviceException("guest address 0x" + Long.toHexString(at) + " + " + left
                        + " is outside guest memory");
            }
            long off = at - r.guestAddress();
            long n = Math.min(left, r.size() - off);
            out.add(r.host().asSlice(off, n));
            at += n;
            left -= n;
        } while (left > 0);
    }

    private Region containing(long gpa) {
        for (Region r : regions) {
            if (Long.compareUnsigned(gpa - r.guestAddress(), r.size()) < 0
                    && Long.compareUnsigned(gpa, r.guestAddress()) >= 0) {
                return r;
            }
        }
        return null;
    }

    /** The slice of a region for [addr, addr+length), or null when the range is not all inside it. */
    private static MemorySegment slice(MemorySegment host, long base, long size, long addr, long length) {
        if (length < 0 || Long.compareUnsigned(addr, base) < 0) {
            return null;
        }
        long off = addr - base;
        if (Long.compareUnsigned(off, size) > 0 || length > size - off) {
            return null;
        }
        return host.asSlice(off, length);
    }

    /** Another user of this table; false when it was already unmapped. */
    boolean acquire() {
        while (true) {
            int n = refs.get();
            if (n <= 0) {
                return false;
            }
            if (refs.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** One user is done; the last one unmaps every region. */
    void release() {
        if (refs.decrementAndGet() == 0 && arena != null) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        long total = regions.stream().mapToLong(Region::size).sum();
        return regions.size() + " region(s), " + (total >> 20) + " MiB";
    }
}
