package io.xtarget.iscsi;

import static io.xtarget.iscsi.SchedulerHarness.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.R2t;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Pings and timeouts of a connection in full feature phase, without a socket, on a clock the test drives. */
class LivenessTest {
    static final long S = 1_000_000_000L;
    /** NOP-In after 10 s idle, dropped 5 s after an unanswered one, send timeout 3 s. */
    static final IscsiServer.Options OPTIONS = new IscsiServer.Options(4, 10, 5, 30)
            .withSendTimeout(Duration.ofSeconds(3));

    final SchedulerHarness h = new SchedulerHarness();
    final List<String> dropped = new ArrayList<>();
    final AtomicInteger flushes = new AtomicInteger();
    final long t0 = System.nanoTime();
    final Liveness liveness = new Liveness(h.outbox, dropped::add, flushes::incrementAndGet, t0);

    void tick(long at) {
        liveness.tick(OPTIONS, h.session, h.scheduler, at);
    }

    @Test
    void anIdleInitiatorIsPingedAndDroppedWhenItDoesNotAnswer() {
        tick(t0 + 9 * S);
        assertThat(h.sent()).isEmpty();
        tick(t0 + 10 * S);
        List<Pdu> out = h.sent();
        assertThat(out).singleElement().isInstanceOf(NopIn.class);
        NopIn ping = (NopIn) out.get(0);
        assertThat(ping.itt()).isEqualTo(Connection.RESERVED_TAG);
        assertThat(ping.ttt()).isEqualTo(0x7F000000);
        assertThat(flushes).hasValue(1);
        tick(t0 + 12 * S);
        assertThat(h.sent()).isEmpty(); // one ping at a time
        liveness.pingAnswered(0x7F000001); // not that ping
        tick(t0 + 15 * S);
        assertThat(dropped).isEmpty();
        tick(t0 + 15 * S + 1);
        assertThat(dropped).containsExactly("NOP-In ping not answered");
    }

    @Test
    void anAnsweredPingAndReceivedBytesKeepTheConnection() {
        tick(t0 + 10 * S);
        NopIn ping = (NopIn) h.sent().get(0);
        liveness.pingAnswered(ping.ttt());
        liveness.received(t0 + 11 * S);
        tick(t0 + 20 * S);
        assertThat(h.sent()).isEmpty();
        tick(t0 + 21 * S);
        assertThat(((NopIn) h.sent().get(0)).ttt()).isEqualTo(0x7F000001);
        assertThat(dropped).isEmpty();
    }

    @Test
    void dataOutThatStopsComingDropsTheConnection() {
        h.arrive(write(1, 1, 64 * 1024));
        assertThat(h.sent()).singleElement().isInstanceOf(R2t.class);
        long now = System.nanoTime();
        tick(now);
        assertThat(dropped).isEmpty();
        tick(now + IscsiServer.DATA_OUT_TIMEOUT_NANOS + S);
        assertThat(dropped).containsExactly("Data-Out timeout");
    }

    @Test
    void outputTheInitiatorDoesNotReadDropsTheConnection() throws Exception {
        h.channel.perCall = 0;
        tick(t0 + 10 * S); // the ping cannot be written
        long now = System.nanoTime();
        assertThat(h.outbox.stalledFor(now)).isPositive();
        tick(now + 2 * S);
        assertThat(dropped).isEmpty();
        tick(now + 4 * S);
        assertThat(dropped).containsExactly("send timeout");
    }
}
