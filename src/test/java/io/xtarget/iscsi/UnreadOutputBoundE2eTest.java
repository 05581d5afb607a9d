package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.e2e.RawSession;
import io.xtarget.e2e.Wire;
import io.xtarget.iscsi.pdu.NopOut;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Output an initiator does not read is memory the server holds. Each connection stops reading
 * once more than sessionBuffer + 1 MiB of its output is queued, but nothing bounds the sum over
 * sessions: a few initiators that send NOP-Outs with data (each answered by a NOP-In echoing
 * it, RFC 7143 11.19) and never read make the server hold a multiple of serverBuffer. With the
 * launcher's 512 MiB heap, about eight such sessions end in OutOfMemoryError in every thread.
 */
@Timeout(60)
class UnreadOutputBoundE2eTest {
    static final long MIB = 1L << 20;
    static final long SESSION = 33 * MIB;
    static final long SERVER = 40 * MIB;
    static final int SESSIONS = 4;

    static long heapUsed() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * One session, empty NOP-Outs, never reading: every 48-byte NOP-In counts 48 bytes towards
     * the backpressure bound (sessionBuffer + 1 MiB), but its queue entry costs about 420 bytes of
     * heap, so the one session makes the server hold about nine times its bound. Against the
     * launcher's defaults (64 MiB, heap 512 MiB) a single initiator ends in OutOfMemoryError.
     */
    @Test
    void oneSessionsUnreadNopInsCostNoMoreHeapThanItsBound() throws Exception {
        IscsiServer.Options options = IscsiServer.Options.defaults().withDataBudget(SESSION, SERVER);
        try (FabricFixture f = new FabricFixture(false, options)) {
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", f.port());
            long before = heapUsed();
            try (RawSession raw = Wire.login(addr, FabricFixture.IQN, "iqn.2026-11.io.xtarget:nop0flood", Map.of(),
                    false)) {
                Thread flood = Thread.ofVirtual().start(() -> {
                    try {
                        for (int itt = 0; ; itt++) {
                            raw.send(new NopOut(true, 0, itt, Wire.RESERVED_TAG, raw.currentCmdSn(),
                                    raw.expStatSn(), null));
                        }
                    } catch (IOException closed) {
                        // ended by the test
                    }
                });
                long last = -1;
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (System.nanoTime() < deadline) {
                    Thread.sleep(1000);
                    long q = f.server.connections().stream().mapToLong(Connection::queuedOutputBytes).sum();
                    if (q == last) {
                        break;
                    }
                    last = q;
                }
                long grown = heapUsed() - before;
                raw.close();
                flood.join(5000);
                assertThat(grown).as("heap held for one session's unread NOP-Ins (sessionBuffer %d MiB; queued"
                        + " bytes counted: %d)", SESSION / MIB, last).isLessThanOrEqualTo(2 * (SESSION + MIB));
            }
        }
    }

    @Test
    void unreadNopInEchoesOfSeveralSessionsStayWithinTheServerBound() throws Exception {
        IscsiServer.Options options = IscsiServer.Options.defaults().withDataBudget(SESSION, SERVER);
        List<RawSession> flooders = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try (FabricFixture f = new FabricFixture(false, options)) {
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", f.port());
            for (int i = 0; i < SESSIONS; i++) {
                RawSession raw = Wire.login(addr, FabricFixture.IQN, "iqn.2026-11.io.xtarget:nopflood-" + i,
                        Map.of(), false);
                flooders.add(raw);
                byte[] payload = new byte[RawSession.MAX_RECV];
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int itt = 0; ; itt++) { // immediate NOP-Outs; the NOP-Ins are never read
                            raw.send(new NopOut(true, 0, itt, Wire.RESERVED_TAG, raw.currentCmdSn(),
                                    raw.expStatSn(), ByteBuffer.wrap(payload)));
                        }
                    } catch (IOException closed) {
                        // the test ends the flood by closing the socket
                    }
                }));
            }
            long queued = 0;
            long deadline = System.nanoTime() + 8_000_000_000L;
            long last = -1;
            while (System.nanoTime() < deadline) { // until the queues stop growing
                Thread.sleep(500);
                queued = f.server.connections().stream().mapToLong(Connection::queuedOutputBytes).sum();
                if (queued == last) {
                    break;
                }
                last = queued;
            }
            assertThat(queued).as("output queued for %d sessions that do not read (sessionBuffer %d MiB,"
                    + " serverBuffer %d MiB)", SESSIONS, SESSION / MIB, SERVER / MIB)
                    .isLessThanOrEqualTo(SERVER + SESSIONS * 2 * MIB);
        } finally {
            for (RawSession r : flooders) {
                r.close();
            }
            for (Thread t : threads) {
                t.join(5000);
            }
        }
    }
}
