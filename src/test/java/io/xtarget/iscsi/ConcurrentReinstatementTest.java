package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.e2e.RawSession;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 7143 6.3.5 / SAM-5 I_T nexus: a login with the ISID of a live session reinstates it, so at
 * most one session per initiator port and target exists at any time. Logins with the same ISID
 * arriving together must not leave two full feature sessions sharing one I_T nexus (a later
 * nexus loss of one would abort the other's tasks and clear its unit attentions and
 * reservations state).
 */
@Timeout(60)
class ConcurrentReinstatementTest {
    @Test
    void simultaneousLoginsWithOneIsidLeaveOneSession() throws Exception {
        try (FabricFixture f = new FabricFixture(false)) {
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", f.port());
            for (int round = 0; round < 20; round++) {
                int n = 16;
                CountDownLatch go = new CountDownLatch(1);
                List<RawSession> opened = new CopyOnWriteArrayList<>();
                List<Thread> ts = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    ts.add(Thread.ofPlatform().start(() -> {
                        try {
                            go.await();
                            opened.add(RawSession.login(addr, FabricFixture.IQN, "iqn.2026-11.io.xtarget:twin",
                                    0x23d0000beefL, Map.of()));
                        } catch (Exception e) {
                            // refused or closed: fine
                        }
                    }));
                }
                go.countDown();
                for (Thread t : ts) {
                    t.join();
                }
                Thread.sleep(300);
                long live = f.server.connections().stream().filter(c -> c.session() != null
                        && !c.session().discovery && c.session().isid == 0x23d0000beefL).count();
                for (RawSession r : opened) {
                    r.close();
                }
                assertThat(live).as("round %d: full feature sessions of one initiator port after %d simultaneous"
                        + " logins with its ISID", round, n).isLessThanOrEqualTo(1);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (!f.server.connections().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
        }
    }
}
