package io.xtarget.vhost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** A guest virtio-scsi driver issuing commands on request queue 2 of a {@link FakeFrontEnd}. */
final class VirtioScsiGuest {
    /** A command's outcome as the driver reads it from the response header and data-in. */
    record Response(int response, int status, byte[] sense, long residual, byte[] dataIn, long usedLen) {}

    private final FakeFrontEnd fe;
    private final int queue;
    private int used;
    private long tag = 1;

    VirtioScsiGuest(FakeFrontEnd fe, int queue) {
        this.fe = fe;
        this.queue = queue;
    }

    static byte[] header(int target, int lun, long tag, byte[] cdb) {
        ByteBuffer b = ByteBuffer.allocate(VirtioScsi.REQUEST_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 1).put((byte) target).put((byte) (0x40 | (lun >> 8))).put((byte) lun).putInt(0);
        b.putLong(tag).put((byte) 0).put((byte) 0).put((byte) 0).put(cdb);
        return b.array();
    }

    Response command(int lun, byte[] cdb, byte[] dataOut, int dataIn) throws InterruptedException {
        return command(0, lun, cdb, dataOut, dataIn, 4096);
    }

    /** Issues one command, data split into {@code segment}-byte descriptors, and waits for it. */
    Response command(int target, int lun, byte[] cdb, byte[] dataOut, int dataIn, int segment)
            throws InterruptedException {
        byte[] full = java.util.Arrays.copyOf(cdb, VirtioScsi.CDB_SIZE);
        FakeDriver d = fe.drivers.get(queue);
        List<FakeDriver.Buf> bufs = new ArrayList<>();
        long h = fe.ram.alloc(VirtioScsi.REQUEST_HEADER_BYTES, 8);
        fe.ram.put(h, header(target, lun, tag++, full));
        bufs.add(new FakeDriver.Buf(h, VirtioScsi.REQUEST_HEADER_BYTES, false));
        for (int off = 0; dataOut != null && off < dataOut.length; off += segment) {
            int n = Math.min(segment, dataOut.length - off);
            long b = fe.ram.alloc(n, 8);
            fe.ram.put(b, java.util.Arrays.copyOfRange(dataOut, off, off + n));
            bufs.add(new FakeDriver.Buf(b, n, false));
        }
        long r = fe.ram.alloc(VirtioScsi.RESPONSE_HEADER_BYTES, 8);
        bufs.add(new FakeDriver.Buf(r, VirtioScsi.RESPONSE_HEADER_BYTES, true));
        List<long[]> in = new ArrayList<>();
        for (int off = 0; off < dataIn; off += segment) {
            int n = Math.min(segment, dataIn - off);
            long b = fe.ram.alloc(n, 8);
            bufs.add(new FakeDriver.Buf(b, n, true));
            in.add(new long[] {b, n});
        }
        int head = d.chain(bufs);
        d.publish(head);
        try {
            fe.kick(queue);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        used++;
        if (!fe.awaitUsed(queue, used)) {
            throw new IllegalStateException("no response within 5 s");
        }
        long[] elem = d.usedElem(used - 1);
        ByteBuffer resp = ByteBuffer.wrap(fe.ram.get(r, VirtioScsi.RESPONSE_HEADER_BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        int senseLen = resp.getInt(0);
        long residual = Integer.toUnsignedLong(resp.getInt(4));
        byte[] sense = java.util.Arrays.copyOfRange(resp.array(), 12, 12 + senseLen);
        ByteBuffer data = ByteBuffer.allocate(dataIn);
        for (long[] b : in) {
            data.put(fe.ram.get(b[0], (int) b[1]));
        }
        return new Response(resp.get(11) & 0xFF, resp.get(10) & 0xFF, sense, residual, data.array(), elem[1]);
    }
}
