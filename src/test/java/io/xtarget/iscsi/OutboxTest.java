package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.pdu.Bhs;
import io.xtarget.iscsi.pdu.DataIn;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduCodec;
import io.xtarget.iscsi.pdu.PduException;
import io.xtarget.iscsi.pdu.PduFramer;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The non-blocking sender over an in-memory socket that takes a few bytes at a time: {@link Outbox}. */
class OutboxTest {

    /**
     * A socket that takes at most {@code perCall} bytes per write and {@code room} bytes in all
     * until the test makes room again (0: the send buffer is full).
     */
    static final class SlowChannel implements GatheringByteChannel {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int perCall = Integer.MAX_VALUE;
        long room = Long.MAX_VALUE;

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            long limit = Math.min(perCall, room);
            long n = 0;
            for (int i = offset; i < offset + length && n < limit; i++) {
                ByteBuffer b = srcs[i];
                int take = (int) Math.min(b.remaining(), limit - n);
                byte[] chunk = new byte[take];
                b.get(chunk);
                out.writeBytes(chunk);
                n += take;
            }
            room -= n;
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) {
            return (int) write(new ByteBuffer[] {src}, 0, 1);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    static final class FixedWindow implements Outbox.Window {
        int exp;
        int max;

        FixedWindow(int exp, int max) {
            this.exp = exp;
            this.max = max;
        }

        @Override
        public int expCmdSn() {
            return exp;
        }

        @Override
        public int maxCmdSn() {
            return max;
        }
    }

    private final SlowChannel channel = new SlowChannel();
    private final AtomicInteger wantWritable = new AtomicInteger();
    private final FixedWindow window = new FixedWindow(5, 10);
    private final Outbox outbox = new Outbox(channel, wantWritable::incrementAndGet);

    private static ScsiResponsePdu response(int itt) {
        return new ScsiResponsePdu(0, 0, 0, itt, 0, 0, 0, 0, 0, 0, null);
    }

    private static DataIn dataIn(int itt, int length) {
        byte[] d = new byte[length];
        for (int i = 0; i < length; i++) {
            d[i] = (byte) (itt + i);
        }
        return new DataIn(false, false, 0, false, 0, 0, itt, -1, 0, 0, 0, 0, 0, 0, ByteBuffer.wrap(d));
    }

    /** Parses what went out on the wire, checking framing, padding and digests. */
    private List<Pdu> sent(boolean headerDigest, boolean dataDigest) throws PduException {
        PduFramer f = new PduFramer();
        f.setDigests(headerDigest, dataDigest);
        f.setMaxRecvDataSegmentLength(1 << 20);
        ByteBuffer src = ByteBuffer.wrap(channel.out.toByteArray());
        List<Pdu> out = new ArrayList<>();
        Pdu p;
        while ((p = f.feed(src, null)) != null) {
            out.add(p);
        }
        assertThat(src.hasRemaining()).isFalse();
        assertThat(f.needed()).isEqualTo(48); // nothing left half-sent
        return out;
    }

    private static Bhs header(Pdu p) {
        return new Bhs(PduCodec.header(p));
    }

    private void flushAll() throws Exception {
        for (int i = 0; i < 100_000 && !outbox.flush(); i++) {
            // the fake socket takes a few bytes per call
        }
        assertThat(outbox.isEmpty()).isTrue();
    }

    @Test
    void statSnIsStampedInQueueOrder() throws Exception {
        // RFC 7143 4.2.2.2: StatSN advances with each status; R2T carries it without consuming it
        outbox.start(100, false, false, window);
        outbox.send(response(1), Outbox.StatSn.ADVANCE, null);
        outbox.send(new R2t(0, 2, 7, 0, 0, 0, 0, 0, 4096), Outbox.StatSn.CURRENT, null);
        outbox.send(dataIn(3, 8), Outbox.StatSn.NONE, null);
        outbox.send(response(4), Outbox.StatSn.ADVANCE, null);
        outbox.send(response(5), Outbox.StatSn.ADVANCE, null);
        flushAll();
        List<Pdu> out = sent(false, false);
        assertThat(out).extracting(p -> header(p).i32(24)).containsExactly(100, 101, 0, 101, 102);
    }

    @Test
    void expCmdSnAndMaxCmdSnComeFromTheWindowAtQueueTime() throws Exception {
        // RFC 7143 4.2.2.1: every target PDU carries the window as it is when the PDU is built
        outbox.start(1, false, false, window);
        channel.perCall = 0;
        outbox.send(response(1), Outbox.StatSn.ADVANCE, null);
        window.exp = 6;
        window.max = 12;
        outbox.send(response(2), Outbox.StatSn.ADVANCE, null);
        window.exp = 7;
        window.max = 20;
        channel.perCall = Integer.MAX_VALUE;
        flushAll();
        List<Pdu> out = sent(false, false);
        assertThat(out).extracting(p -> header(p).i32(28)).containsExactly(5, 6);
        assertThat(out).extracting(p -> header(p).i32(32)).containsExactly(10, 12);
    }

    @Test
    void partialWritesResumeExactlyWhereTheyStopped() throws Exception {
        // RFC 7143 11.2: the byte stream is the PDUs back to back, whatever the socket took per call
        outbox.start(1, true, true, window);
        channel.perCall = 7;
        List<Pdu> queued = new ArrayList<>();
        List<java.nio.ByteBuffer> data = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Pdu p = i % 3 == 0 ? response(i) : dataIn(i, i * 13 % 50);
            queued.add(p);
            data.add(p.data().duplicate()); // the outbox consumes the PDU's own view of its data
            outbox.send(p, i % 3 == 0 ? Outbox.StatSn.ADVANCE : Outbox.StatSn.NONE, null);
        }
        flushAll();
        List<Pdu> out = sent(true, true);
        assertThat(out).hasSameSizeAs(queued);
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i).itt()).isEqualTo(queued.get(i).itt());
            assertThat(out.get(i).data()).isEqualTo(data.get(i));
        }
    }

    @Test
    void paddingAndDataDigestAreAppended() throws Exception {
        // RFC 7143 11.1, 11.2.3: data padded to 4 bytes with zeros, CRC32C over data and padding
        outbox.start(1, false, true, window);
        outbox.send(dataIn(1, 5), Outbox.StatSn.NONE, null);
        outbox.send(response(2), Outbox.StatSn.ADVANCE, null); // no data: no pad, no data digest
        flushAll();
        byte[] w = channel.out.toByteArray();
        assertThat(w).hasSize(48 + 5 + 3 + 4 + 48);
        assertThat(w[53]).isZero();
        assertThat(w[54]).isZero();
        assertThat(w[55]).isZero();
        assertThat(sent(false, true)).hasSize(2); // the framer checks the digest
    }

    @Test
    void onSentRunsOncePerPduInOrderOnlyAfterAllItsBytesAreWritten() throws Exception {
        outbox.start(1, false, false, window);
        channel.perCall = 10;
        List<String> events = new ArrayList<>();
        int[] ends = {48 + 8, 48 + 8 + 48, 48 + 8 + 48 + 48 + 20};
        Pdu[] pdus = {dataIn(1, 8), response(2), dataIn(3, 20)};
        for (int i = 0; i < pdus.length; i++) {
            int k = i;
            outbox.send(pdus[i], Outbox.StatSn.NONE, () -> {
                assertThat(channel.out.size()).isGreaterThanOrEqualTo(ends[k]);
                events.add("sent " + k);
            });
        }
        while (!outbox.flush()) {
            assertThat(events.size()).isLessThanOrEqualTo(3);
        }
        assertThat(events).containsExactly("sent 0", "sent 1", "sent 2");
        outbox.flush();
        assertThat(events).hasSize(3); // never twice
    }

    @Test
    void flushReturnsFalseAndAsksForWritableWhenTheSocketTakesNothing() throws Exception {
        outbox.start(1, false, false, window);
        channel.perCall = 0;
        outbox.send(response(1), Outbox.StatSn.ADVANCE, null);
        assertThat(outbox.flush()).isFalse();
        assertThat(wantWritable.get()).isEqualTo(1);
        assertThat(outbox.isEmpty()).isFalse();
        assertThat(outbox.queuedBytes()).isEqualTo(48);
        channel.perCall = Integer.MAX_VALUE;
        assertThat(outbox.flush()).isTrue();
        assertThat(wantWritable.get()).isEqualTo(1);
        assertThat(outbox.queuedBytes()).isZero();
    }

    @Test
    void stalledForIsZeroWhenEmptyGrowsWhileBlockedAndResetsOnProgress() throws Exception {
        outbox.start(1, false, false, window);
        assertThat(outbox.stalledFor(System.nanoTime())).isZero();
        channel.perCall = 0;
        outbox.send(dataIn(1, 100), Outbox.StatSn.NONE, null);
        outbox.flush();
        long first = outbox.stalledFor(System.nanoTime());
        Thread.sleep(30);
        outbox.flush();
        long blocked = outbox.stalledFor(System.nanoTime());
        assertThat(blocked).isGreaterThanOrEqualTo(first + 30_000_000L);
        channel.perCall = Integer.MAX_VALUE;
        channel.room = 10; // some progress, not all of it
        assertThat(outbox.flush()).isFalse();
        assertThat(channel.out.size()).isEqualTo(10);
        assertThat(outbox.stalledFor(System.nanoTime())).isLessThan(blocked);
        channel.room = Long.MAX_VALUE;
        assertThat(outbox.flush()).isTrue();
        assertThat(outbox.stalledFor(System.nanoTime())).isZero();
    }

    @Test
    void closeRunsPendingCompletionsAndLaterSendsCompleteAtOnce() throws Exception {
        outbox.start(1, false, false, window);
        channel.perCall = 0;
        List<Integer> done = new ArrayList<>();
        outbox.send(response(1), Outbox.StatSn.ADVANCE, () -> done.add(1));
        outbox.send(response(2), Outbox.StatSn.ADVANCE, () -> done.add(2));
        outbox.flush();
        assertThat(done).isEmpty();
        outbox.close();
        assertThat(done).containsExactly(1, 2);
        assertThat(outbox.isEmpty()).isTrue();
        assertThat(outbox.stalledFor(System.nanoTime())).isZero();
        outbox.send(response(3), Outbox.StatSn.ADVANCE, () -> done.add(3));
        assertThat(done).containsExactly(1, 2, 3);
        channel.perCall = Integer.MAX_VALUE;
        assertThat(outbox.flush()).isTrue();
        assertThat(channel.out.size()).isZero();
    }

    /**
     * A command ending after its connection closed runs its completion (scheduler.release, which
     * takes the scheduler's lock) from send. If that ran under the outbox's lock, a thread holding
     * the scheduler's lock and sending an R2T (budgetReleased, run on any thread once the mailbox
     * is closed) would deadlock with it. So the completion must run with the outbox unlocked:
     * here, another thread must be able to send meanwhile.
     */
    @Test
    void completionOfASendOnAClosedOutboxRunsWithoutItsLock() throws Exception {
        outbox.start(1, false, false, window);
        outbox.close();
        java.util.concurrent.atomic.AtomicBoolean otherSent = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean sentDuringCompletion = new java.util.concurrent.atomic.AtomicBoolean();
        outbox.send(response(1), Outbox.StatSn.ADVANCE, () -> {
            Thread other = Thread.ofPlatform().start(() -> {
                outbox.send(response(2), Outbox.StatSn.ADVANCE, null);
                otherSent.set(true);
            });
            try {
                other.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sentDuringCompletion.set(otherSent.get());
        });
        assertThat(sentDuringCompletion).as("another thread could send while a completion ran").isTrue();
    }
}
