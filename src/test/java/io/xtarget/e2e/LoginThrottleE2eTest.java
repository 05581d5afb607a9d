package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.cli.Cli;
import io.xtarget.config.ChapConfig;
import io.xtarget.config.LimitsConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.iscsi.LoginClient;
import io.xtarget.iscsi.pdu.Chap;
import io.xtarget.iscsi.pdu.LoginRequest;
import io.xtarget.iscsi.pdu.LoginResponse;
import io.xtarget.iscsi.pdu.PduChannel;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.server.MetricsEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The login throttle over real iSCSI logins on 127.0.0.1, CHAP driven PDU by PDU: after failed
 * CHAP logins, logins from the same initiator name or the same source address wait a back-off
 * that doubles per failure; a successful login resets it; others are not slowed; parallel
 * connections are spaced; a turn past the login timeout is refused at once (0301). The second
 * source address is 127.0.0.2 (the client socket is bound to it; the target stays at 127.0.0.1).
 * Back-off here: 200 ms doubling to 800 ms. Delays are measured from the first request to its
 * answer (the throttle waits before answering), with a tolerance for a loaded machine.
 */
@Timeout(120)
class LoginThrottleE2eTest {
    static final String TARGET = "iqn.2026-11.io.xtarget:guarded";
    static final String ALICE = "iqn.2026-11.io.example:alice";
    static final String BOB = "iqn.2026-11.io.example:bob";
    static final String LOCAL = "127.0.0.1";
    static final String OTHER = "127.0.0.2";
    static final String SECRET = "alicesecret1";
    static final String WRONG = "guess-000001";
    static final long MS = 1_000_000L;
    /** What a delay may fall short of the back-off (clock granularity, when the failure was counted). */
    static final long EARLY = 60 * MS;
    /**
     * An undelayed login answers within this, even on a loaded machine (a GC pause or a busy CPU
     * can take 150 ms on two cores); half the smallest back-off (800 ms) any check of it is set
     * against, so a throttled login can never pass for a prompt one.
     */
    static final long PROMPT = 400 * MS;

    @TempDir
    Path dir;
    E2eServer server;

    void start(LimitsConfig limits) throws Exception {
        server = E2eServer.builder(dir).ram("ram0", E2eServer.MIB, 512)
                .target(new TargetConfig(TARGET, List.of(E2eServer.EPHEMERAL), CopyAccessPolicy.INITIATOR,
                        List.of(E2eServer.rw(0, "ram0")), List.of(), new ChapConfig("alice", SECRET)))
                .limits(limits).start();
    }

    void start() throws Exception {
        start(LimitsConfig.NONE.withLoginBackoff(200, 800));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /**
     * How one login went: the first answer's status and delay, the final status (0 = logged in),
     * and when (System.nanoTime) the first request was sent.
     */
    record Attempt(int firstStatus, long firstAnswerNanos, int status, long sentAtNanos) {
        long answeredAtNanos() {
            return sentAtNanos + firstAnswerNanos;
        }

        long ms() {
            return firstAnswerNanos / MS;
        }
    }

    /** A CHAP login (RFC 7143 12.1.3) from {@code source} as {@code initiator} with {@code secret}, to the end. */
    Attempt login(String initiator, String source, String secret) throws Exception {
        try (SocketChannel sc = SocketChannel.open()) {
            sc.bind(new InetSocketAddress(source, 0));
            sc.connect(server.address());
            PduChannel ch = new PduChannel(sc);
            long t0 = System.nanoTime();
            LoginResponse r = send(ch, true, 0, 1, "InitiatorName", initiator, "TargetName", TARGET,
                    "SessionType", "Normal", "AuthMethod", "CHAP,None");
            long first = System.nanoTime() - t0;
            int firstStatus = status(r);
            if (firstStatus != 0) {
                return new Attempt(firstStatus, first, firstStatus, t0);
            }
            r = send(ch, false, 0, 1, "CHAP_A", "5");
            Map<String, String> k = keys(r);
            byte[] response = Chap.response(Chap.decodeIdentifier(k.get("CHAP_I")), secret,
                    Chap.decodeBinary(k.get("CHAP_C")));
            r = send(ch, true, 0, 1, "CHAP_N", "alice", "CHAP_R", Chap.hex(response));
            if (status(r) != 0) {
                return new Attempt(firstStatus, first, status(r), t0);
            }
            r = send(ch, true, 1, 3, "HeaderDigest", "None", "DataDigest", "None");
            assertThat(r.nsg()).isEqualTo(3);
            return new Attempt(firstStatus, first, status(r), t0);
        }
    }

    static LoginResponse send(PduChannel ch, boolean transit, int csg, int nsg, String... kv) throws Exception {
        return LoginClient.exchange(ch, 0x0023_0000_0001L, transit, csg, nsg, kv);
    }

    static int status(LoginResponse r) {
        return LoginClient.status(r);
    }

    static Map<String, String> keys(LoginResponse r) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : StandardCharsets.UTF_8.decode(r.data().duplicate()).toString().split("\0")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return out;
    }

    Attempt fail(String initiator, String source) throws Exception {
        Attempt a = login(initiator, source, WRONG);
        assertThat(a.status()).as("a wrong secret: %s", a).isEqualTo(0x0201);
        return a;
    }

    static void assertDelayed(Attempt a, long backoffMs) {
        assertThat(a.firstAnswerNanos()).as("delay %d ms for a back-off of %d ms", a.ms(), backoffMs)
                .isBetween(backoffMs * MS - EARLY, backoffMs * MS + 1000 * MS);
    }

    static void assertPrompt(Attempt a) {
        assertThat(a.firstAnswerNanos()).as("not slowed, answered in %d ms", a.ms()).isLessThan(PROMPT);
    }

    @Test
    void eachFailureDoublesTheWaitOfTheNextLoginUpToTheMaximum() throws Exception {
        start();
        assertPrompt(fail(ALICE, LOCAL));
        List<Long> delays = new ArrayList<>();
        for (long expected : new long[] {200, 400, 800, 800}) {
            Attempt a = fail(ALICE, LOCAL);
            assertDelayed(a, expected);
            delays.add(a.ms());
        }
        System.out.println("delays (ms) of the logins after 1, 2, 3, 4 failures: " + delays);
        assertThat(delays.get(1) - delays.get(0)).as("grows: %s", delays).isGreaterThan(100);
        assertThat(delays.get(2) - delays.get(1)).as("grows: %s", delays).isGreaterThan(200);
        assertThat(server.server().loginStats().authFailures()).isEqualTo(5);
        assertThat(server.server().loginStats().throttled()).isEqualTo(4);
    }

    @Test
    void aSuccessfulLoginResetsItsNameAndAddress() throws Exception {
        start();
        fail(ALICE, LOCAL);
        fail(ALICE, LOCAL);
        fail(ALICE, LOCAL); // back-off now 800 ms
        Attempt right = login(ALICE, LOCAL, SECRET);
        assertThat(right.status()).isZero();
        assertDelayed(right, 800); // the right secret waits its turn too: nothing tells it apart before
        Attempt after = fail(ALICE, LOCAL);
        assertPrompt(after);
        assertDelayed(fail(ALICE, LOCAL), 200); // and the back-off starts over
    }

    @Test
    void anotherNameFromAnotherAddressIsNotSlowedTheSameNameOrAddressIs() throws Exception {
        start();
        fail(ALICE, LOCAL);
        fail(ALICE, LOCAL);
        fail(ALICE, LOCAL); // back-off now 800 ms for the name ALICE and the address 127.0.0.1
        List<Attempt> r = concurrently(List.of(
                () -> login(BOB, OTHER, SECRET),
                () -> login(BOB, LOCAL, SECRET),
                () -> login(ALICE, OTHER, SECRET)));
        assertThat(r).extracting(Attempt::status).containsExactly(0, 0, 0);
        assertPrompt(r.get(0));
        assertThat(r.get(1).firstAnswerNanos()).as("same address: %d ms", r.get(1).ms()).isGreaterThan(500 * MS);
        assertThat(r.get(2).firstAnswerNanos()).as("same name: %d ms", r.get(2).ms()).isGreaterThan(500 * MS);
    }

    @Test
    void parallelConnectionsAreSpacedByTheBackoffNotReleasedTogether() throws Exception {
        start();
        fail(ALICE, LOCAL);
        fail(ALICE, LOCAL); // back-off now 400 ms
        List<Callable<Attempt>> guesses = Collections.nCopies(4, () -> login(ALICE, LOCAL, WRONG));
        List<Attempt> attempts = concurrently(guesses);
        // Each turn is reserved when its request arrives, 400 ms after the one before, and the first
        // no earlier than its arrival: the i-th answer comes at least i x 400 ms after the first
        // request was sent, however late the machine answers any of them (no lower bound on gaps,
        // which a late first answer would shrink).
        long sent = attempts.stream().mapToLong(Attempt::sentAtNanos).min().orElseThrow();
        List<Long> answered = attempts.stream().map(a -> (a.answeredAtNanos() - sent) / MS).sorted().toList();
        for (int i = 1; i < answered.size(); i++) {
            assertThat(answered.get(i)).as("answer %d, ms after the first request: %s", i, answered)
                    .isGreaterThanOrEqualTo(i * 400L - 1);
        }
    }

    @Test
    void aTurnPastTheLoginTimeoutIsRefusedAtOnceWith0301() throws Exception {
        start(new LimitsConfig(null, null, null, null, null, 1, null, 2000, 2000)); // login timeout 1 s
        fail(ALICE, LOCAL);
        Attempt refused = login(ALICE, OTHER, SECRET);
        assertThat(refused.status()).as("Service Unavailable: retry later").isEqualTo(0x0301);
        assertPrompt(refused);
        assertPrompt(login(BOB, OTHER, SECRET));
        assertThat(server.server().loginStats().throttleRefused()).isEqualTo(1);
    }

    @Test
    void theOversizedChapResponseGets0201AndCountsAsAFailure() throws Exception {
        start();
        String text = "CHAP_N=alice\0CHAP_R=0x" + "ab".repeat(4096) + "\0"; // CHAP_R of 8194 characters
        try (SocketChannel sc = SocketChannel.open(server.address())) {
            PduChannel ch = new PduChannel(sc);
            send(ch, true, 0, 1, "InitiatorName", ALICE, "TargetName", TARGET, "AuthMethod", "CHAP");
            send(ch, false, 0, 1, "CHAP_A", "5");
            ch.write(new LoginRequest(true, false, 0, 1, 0, 0, 0x0023_0000_0001L, 0, 1, 0, 1, 0,
                    ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII))));
            LoginResponse r = (LoginResponse) ch.read();
            assertThat(status(r)).isEqualTo(0x0201);
            assertThatThrownBy(ch::read).as("then a clean close").isInstanceOf(EOFException.class);
        }
        assertThat(server.server().loginStats().authFailures()).isEqualTo(1);
        assertDelayed(fail(ALICE, OTHER), 200);
    }

    @Test
    void oneWarnLinePerFailureAndTheCountersInMetricsAndStatus() throws Exception {
        start(new LimitsConfig(null, null, null, null, null, 1, null, 300, 2000));
        String log = stderrOf(() -> {
            fail(BOB, OTHER);
            login(BOB, OTHER, WRONG); // waits its turn, 300 ms away, within the 0.5 s it may wait
            return null;
        });
        List<String> warns = log.lines().filter(l -> l.contains("WARN") && l.contains("CHAP authentication failed"))
                .toList();
        assertThat(warns).hasSize(2);
        assertThat(warns.get(0)).contains(BOB, "from " + OTHER, TARGET, "back-off now 300 ms");
        assertThat(warns.get(1)).contains("back-off now 600 ms");

        login(BOB, OTHER, WRONG); // the turn is 600 ms away, past the 0.5 s a 1 s login timeout allows
        try (MetricsEndpoint m = server.server().serveMetrics(new InetSocketAddress(LOCAL, 0))) {
            Cli.Run status = Cli.run("status", "--metrics", LOCAL + ":" + m.address().getPort());
            assertThat(status.code()).isZero();
            assertThat(status.out()).contains("logins", "  CHAP failures     2", "  throttled         1",
                    "  refused (0301)    1");
        }
    }

    /** Runs the logins at once, each on its own thread; their results in the order given. */
    static List<Attempt> concurrently(List<Callable<Attempt>> logins) throws Exception {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Attempt>> f = new ArrayList<>();
            for (Callable<Attempt> c : logins) {
                f.add(ex.submit(c));
            }
            List<Attempt> out = new ArrayList<>();
            for (Future<Attempt> x : f) {
                out.add(x.get());
            }
            return out;
        }
    }

    /** What the server logged (slf4j-simple writes to the current System.err) while {@code action} ran. */
    static String stderrOf(Callable<Void> action) throws Exception {
        PrintStream was = System.err;
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(copy, true, StandardCharsets.UTF_8) {
            @Override
            public void write(byte[] b, int off, int len) {
                super.write(b, off, len);
                was.write(b, off, len);
            }
        };
        System.setErr(tee);
        try {
            action.call();
        } finally {
            System.setErr(was);
        }
        return copy.toString(StandardCharsets.UTF_8);
    }
}
