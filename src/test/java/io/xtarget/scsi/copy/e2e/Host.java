package io.xtarget.scsi.copy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.SenseData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** One logged-in session with the SCSI helpers the copy tests need. */
final class Host implements AutoCloseable {
    final IscsiSession session;

    Host(IscsiSession session) {
        this.session = session;
    }

    /** Runs a command, retrying while the LU reports a unit attention (a new I_T nexus sees POWER ON). */
    CommandResult run(int lun, byte[] cdb, byte[] out, int in) throws IOException {
        ByteBuffer o = out == null ? null : ByteBuffer.wrap(out);
        CommandResult r = session.execute(lun, cdb, o, in);
        for (int i = 0; i < 4 && r.status() == CommandResult.CHECK_CONDITION
                && r.senseData().map(d -> d.senseKey() == 6).orElse(false); i++) {
            r = session.execute(lun, cdb, o == null ? null : ByteBuffer.wrap(out), in);
        }
        return r;
    }

    /** The LU's NAA designation descriptor (header + designator) from VPD 0x83 (SPC-4 7.8.6). */
    byte[] naaDescriptor(int lun) throws IOException {
        CommandResult r = run(lun, new byte[] {0x12, 1, (byte) 0x83, 0x01, 0x00, 0}, null, 256);
        assertThat(r.status()).as(r.toString()).isZero();
        byte[] p = r.dataBytes();
        int end = Math.min(p.length, 4 + ((p[2] & 0xFF) << 8 | (p[3] & 0xFF)));
        for (int off = 4; off + 4 <= end; off += 4 + (p[off + 3] & 0xFF)) {
            int assoc = (p[off + 1] >>> 4) & 3;
            int type = p[off + 1] & 0x0F;
            if (assoc == 0 && type == 3) {
                byte[] d = new byte[4 + (p[off + 3] & 0xFF)];
                System.arraycopy(p, off, d, 0, d.length);
                return d;
            }
        }
        throw new AssertionError("no NAA designator in VPD 0x83 of LUN " + lun);
    }

    /** Block size of the LU (READ CAPACITY(16)). */
    int blockSize(int lun) throws IOException {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x9E;
        cdb[1] = 0x10;
        cdb[13] = 32;
        CommandResult r = run(lun, cdb, null, 32);
        assertThat(r.status()).as(r.toString()).isZero();
        return r.data().getInt(8);
    }

    byte[] read(int lun, long lba, int blocks, int blockSize) throws IOException {
        CommandResult r = run(lun, rw16(0x88, lba, blocks), null, blocks * blockSize);
        assertThat(r.status()).as("READ " + r).isZero();
        return r.dataBytes();
    }

    void write(int lun, long lba, byte[] data, int blockSize) throws IOException {
        CommandResult r = run(lun, rw16(0x8A, lba, data.length / blockSize), data, 0);
        assertThat(r.status()).as("WRITE " + r).isZero();
    }

    CommandResult xcopy(int lun, byte[] list) throws IOException {
        return run(lun, XcopyList.cdb(list.length), list, 0);
    }

    CompletableFuture<CommandResult> submitXcopy(int lun, byte[] list) {
        return session.submit(lun, XcopyList.cdb(list.length), ByteBuffer.wrap(list), 0);
    }

    /** COPY STATUS of a list identifier: [copy manager status, segments processed, units, transfer count]. */
    long[] copyStatus(int lun, int listId) throws IOException {
        CommandResult r = run(lun, XcopyList.receiveCopyResults(0, listId, 12), null, 12);
        assertThat(r.status()).as("COPY STATUS " + r).isZero();
        ByteBuffer d = r.data();
        return new long[] {d.get(4) & 0x7F, d.getShort(5) & 0xFFFF, d.get(7) & 0xFF, d.getInt(8) & 0xFFFFFFFFL};
    }

    static byte[] rw16(int op, long lba, int blocks) {
        ByteBuffer c = ByteBuffer.allocate(16);
        c.put(0, (byte) op).putLong(2, lba).putInt(10, blocks);
        return c.array();
    }

    static SenseData sense(CommandResult r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(CommandResult.CHECK_CONDITION);
        return r.senseData().orElseThrow(() -> new AssertionError("no sense in " + r));
    }

    @Override
    public void close() {
        try {
            session.logout();
        } catch (IOException e) {
            // closing anyway
        }
        session.close();
    }
}
