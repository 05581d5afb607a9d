package io.xtarget.vhost;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One buffer the driver made available: a chain of descriptors (virtio 1.1 2.6.5), possibly
 * through an indirect table (2.6.5.3), resolved to our mappings of guest memory. The device-
 * readable part comes first, then the device-writable part (2.6.4.2); each part is a byte
 * stream over its segments, read and written with {@link #read} and {@link #write}.
 *
 * <p>Everything is checked as it is walked, because the guest may write anything into its
 * descriptor table: each descriptor is read once into locals (no second fetch the guest could
 * change in between), its buffer must lie in guest memory, a next index must be inside its table,
 * a chain may not be longer than its table (so a loop ends the walk, 2.6.5.3.1: no chain is
 * longer than the Queue Size), an indirect table only as the head, with a length that is a
 * non-zero multiple of 16 bytes and at most Queue Size entries, no indirect descriptor inside one
 * and none combined with NEXT (2.6.5.3.1), a readable descriptor never after a writable one, and
 * each part at most {@code maxBytes}. Any violation is a {@link DeviceException}.
 */
final class DescriptorChain {
    static final int F_NEXT = 1;
    static final int F_WRITE = 2;
    static final int F_INDIRECT = 4;
    static final int DESCRIPTOR_BYTES = 16;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private final int head;
    private final List<MemorySegment> readable;
    private final List<MemorySegment> writable;
    private final long readableBytes;
    private final long writableBytes;

    private DescriptorChain(int head, List<MemorySegment> readable, List<MemorySegment> writable, long r, long w) {
        this.head = head;
        this.readable = readable;
        this.writable = writable;
        this.readableBytes = r;
        this.writableBytes = w;
    }

    /**
     * Walks the chain starting at descriptor {@code head} of {@code table} ({@code size} entries).
     *
     * @param indirectAllowed whether VIRTIO_RING_F_INDIRECT_DESC was negotiated
     * @param maxBytes the most bytes the readable part, and the writable part, may have
     */
    static DescriptorChain walk(GuestMemory memory, MemorySegment table, int size, int head,
            boolean indirectAllowed, long maxBytes) throws DeviceException {
        if (head < 0 || head >= size) {
            throw new DeviceException("head descriptor " + head + " outside the table of " + size);
        }
        List<MemorySegment> readable = new ArrayList<>(2);
        List<MemorySegment> writable = new ArrayList<>(2);
        long r = 0;
        long w = 0;
        MemorySegment t = table;
        int entries = size;
        int i = head;
        int walked = 0;
        boolean indirect = false;
        boolean seenWritable = false;
        while (true) {
            if (++walked > entries) {
                throw new DeviceException("descriptor chain from " + head + " is longer than its table of "
                        + entries + " (a loop?)");
            }
            long at = (long) i * DESCRIPTOR_BYTES;
            long addr = t.get(U64, at);
            long len = Integer.toUnsignedLong(t.get(U32, at + 8));
            int flags = Short.toUnsignedInt(t.get(U16, at + 12));
            int next = Short.toUnsignedInt(t.get(U16, at + 14));
            if ((flags & F_INDIRECT) != 0) {
                if (!indirectAllowed || indirect || walked != 1 || (flags & F_NEXT) != 0) {
                    throw new DeviceException("indirect descriptor " + i + " not allowed here ("
                            + (!indirectAllowed ? "not negotiated" : indirect ? "inside an indirect table"
                                    : walked != 1 ? "not the head" : "with NEXT") + ")");
                }
                if (len == 0 || len % DESCRIPTOR_BYTES != 0 || len / DESCRIPTOR_BYTES > size) {
                    throw new DeviceException("indirect table of " + len + " bytes (a non-zero multiple of 16, at most "
                            + size + " entries)");
                }
                t = memory.guest(addr, len);
                entries = (int) (len / DESCRIPTOR_BYTES);
                i = 0;
                walked = 0;
                indirect = true;
                continue;
            }
            if ((flags & F_WRITE) != 0) {
                seenWritable = true;
                w += len;
                if (w > maxBytes) {
                    throw new DeviceException("writable part of the chain from " + head + " exceeds " + maxBytes + " bytes");
                }
                if (len > 0) {
                    memory.guestPieces(addr, len, writable);
                }
            } else {
                if (seenWritable) {
                    throw new DeviceException("readable descriptor " + i + " after a writable one in the chain from " + head);
                }
                r += len;
                if (r > maxBytes) {
                    throw new DeviceException("readable part of the chain from " + head + " exceeds " + maxBytes + " bytes");
                }
                if (len > 0) {
                    memory.guestPieces(addr, len, readable);
                }
            }
            if ((flags & F_NEXT) == 0) {
                return new DescriptorChain(head, readable, writable, r, w);
            }
            if (next >= entries) {
                throw new DeviceException("next index " + next + " outside the table of " + entries);
            }
            i = next;
        }
    }

    /** The head index: what the used ring returns (2.6.8). */
    int head() {
        return head;
    }

    long readableBytes() {
        return readableBytes;
    }

    long writableBytes() {
        return writableBytes;
    }

    List<MemorySegment> readableSegments() {
        return readable;
    }

    List<MemorySegment> writableSegments() {
        return writable;
    }

    /** Copies the readable bytes at {@code offset} into {@code dst} (all of it must be there). */
    void read(long offset, MemorySegment dst) {
        transfer(readable, offset, dst, false);
    }

    /** Copies {@code src} into the writable part at {@code offset} (all of it must fit). */
    void write(long offset, MemorySegment src) {
        transfer(writable, offset, src, true);
    }

    /**
     * Views of {@code length} readable bytes from {@code offset}, one per guest segment they touch,
     * in order; null when the readable part ends before (never a view outside the chain).
     */
    ByteBuffer[] readableBuffers(long offset, long length) {
        return buffers(readable, readableBytes, offset, length);
    }

    /** {@link #readableBuffers} for the writable part: where a store may put data-in directly. */
    ByteBuffer[] writableBuffers(long offset, long length) {
        return buffers(writable, writableBytes, offset, length);
    }

    private static ByteBuffer[] buffers(List<MemorySegment> part, long partBytes, long offset, long length) {
        if (offset < 0 || length < 0 || offset > partBytes || length > partBytes - offset) {
            return null;
        }
        List<ByteBuffer> out = new ArrayList<>(part.size());
        long at = 0;
        long left = length;
        for (MemorySegment s : part) {
            if (left == 0) {
                break;
            }
            long end = at + s.byteSize();
            long pos = offset + (length - left);
            if (pos < end) {
                long off = pos - at;
                long n = Math.min(s.byteSize() - off, left);
                out.add(s.asSlice(off, n).asByteBuffer());
                left -= n;
            }
            at = end;
        }
        return left == 0 ? out.toArray(ByteBuffer[]::new) : null;
    }

    /** The readable range as one segment of guest memory when it lies in one piece, else null. */
    MemorySegment readableSlice(long offset, long length) {
        long at = 0;
        for (MemorySegment s : readable) {
            if (offset >= at && offset - at < s.byteSize()) {
                long off = offset - at;
                return length <= s.byteSize() - off ? s.asSlice(off, length) : null;
            }
            at += s.byteSize();
        }
        return length == 0 ? MemorySegment.NULL.reinterpret(0) : null;
    }

    private static void transfer(List<MemorySegment> part, long offset, MemorySegment data, boolean toGuest) {
        long at = 0;
        long done = 0;
        long total = data.byteSize();
        for (MemorySegment s : part) {
            if (done == total) {
                return;
            }
            long end = at + s.byteSize();
            if (offset + done < end) {
                long off = offset + done - at;
                long n = Math.min(s.byteSize() - off, total - done);
                if (toGuest) {
                    MemorySegment.copy(data, done, s, off, n);
                } else {
                    MemorySegment.copy(s, off, data, done, n);
                }
                done += n;
            }
            at = end;
        }
        if (done != total) {
            throw new IndexOutOfBoundsException("chain part ends before offset " + (offset + total));
        }
    }
}
