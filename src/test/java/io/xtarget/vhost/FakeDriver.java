package io.xtarget.vhost;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The driver side of one split virtqueue (virtio 1.1 2.6) in {@link GuestRam}: lays out the
 * descriptor table, available and used rings, adds chains (direct or through an indirect table),
 * publishes them and reads what the device used. Hostile tests write raw descriptors with
 * {@link #descriptor}.
 */
final class FakeDriver {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    final GuestRam ram;
    final int size;
    final long desc;
    final long avail;
    final long used;
    private int nextDesc;
    private int availIdx;

    /** A buffer of a chain: its guest address, length and whether the device writes it. */
    record Buf(long gpa, int len, boolean write) {}

    FakeDriver(GuestRam ram, int size) {
        this.ram = ram;
        this.size = size;
        this.desc = ram.alloc(16L * size, 16);
        this.avail = ram.alloc(6 + 2L * size, 2);
        this.used = ram.alloc(6 + 8L * size, 4);
    }

    /** A device-side queue set up on these rings, as the front-end would (NUM, ADDR, memory, KICK). */
    Virtqueue queue(int index, boolean eventIdx, boolean indirect) throws DeviceException {
        Virtqueue q = new Virtqueue(index, 64L << 20);
        q.setSize(size);
        q.setMemory(ram.memory);
        q.setAddresses(GuestRam.user(desc), GuestRam.user(used), GuestRam.user(avail));
        q.setFeatures(eventIdx, indirect);
        q.setEnabled(true);
        q.start(null);
        return q;
    }

    /** Writes descriptor {@code i} of the table at {@code table} as given, however wrong. */
    void descriptor(long table, int i, long addr, int len, int flags, int next) {
        MemorySegment d = ram.at(table + 16L * i, 16);
        d.set(U64, 0, addr);
        d.set(U32, 8, len);
        d.set(U16, 12, (short) flags);
        d.set(U16, 14, (short) next);
    }

    /** Adds a chain of direct descriptors; returns its head. */
    int chain(List<Buf> bufs) {
        int head = nextDesc;
        for (int k = 0; k < bufs.size(); k++) {
            Buf b = bufs.get(k);
            int i = (head + k) % size;
            boolean last = k == bufs.size() - 1;
            descriptor(desc, i, b.gpa(), b.len(), (b.write() ? 2 : 0) | (last ? 0 : 1), (i + 1) % size);
        }
        nextDesc = (head + bufs.size()) % size;
        return head;
    }

    /** Adds a chain through an indirect table (one direct descriptor); returns its head. */
    int indirectChain(List<Buf> bufs) {
        long table = ram.alloc(16L * bufs.size(), 16);
        for (int k = 0; k < bufs.size(); k++) {
            Buf b = bufs.get(k);
            boolean last = k == bufs.size() - 1;
            descriptor(table, k, b.gpa(), b.len(), (b.write() ? 2 : 0) | (last ? 0 : 1), k + 1);
        }
        int head = nextDesc;
        descriptor(desc, head, table, 16 * bufs.size(), 4, 0);
        nextDesc = (head + 1) % size;
        return head;
    }

    /** Makes {@code head} available and publishes the new available index. */
    void publish(int head) {
        ram.at(avail + 4 + 2L * (availIdx % size), 2).set(U16, 0, (short) head);
        availIdx = (availIdx + 1) & 0xFFFF;
        setAvailIdx(availIdx);
    }

    void setAvailIdx(int idx) {
        ram.at(avail + 2, 2).set(U16, 0, (short) idx);
    }

    void setAvailFlags(int flags) {
        ram.at(avail, 2).set(U16, 0, (short) flags);
    }

    /** used_event (2.6.10): the used index after which the driver wants an interrupt. */
    void setUsedEvent(int idx) {
        ram.at(avail + 4 + 2L * size, 2).set(U16, 0, (short) idx);
    }

    int usedIdx() {
        return Short.toUnsignedInt(ram.at(used + 2, 2).get(U16, 0));
    }

    /** avail_event (2.6.10) as the device published it. */
    int availEvent() {
        return Short.toUnsignedInt(ram.at(used + 4 + 8L * size, 2).get(U16, 0));
    }

    /** Used element {@code n}: {id, len}. */
    long[] usedElem(int n) {
        MemorySegment e = ram.at(used + 4 + 8L * (n % size), 8);
        return new long[] {Integer.toUnsignedLong(e.get(U32, 0)), Integer.toUnsignedLong(e.get(U32, 4))};
    }

    /** Several buffers in guest RAM filled with {@code fill}. */
    List<Buf> bufs(int... lens) {
        List<Buf> out = new ArrayList<>();
        for (int len : lens) {
            out.add(new Buf(ram.alloc(Math.abs(len), 8), Math.abs(len), len < 0));
        }
        return out;
    }
}
