package io.xtarget.bench;

import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.LoginException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Password-guessing benchmark (not a test): logins with a wrong CHAP secret, as fast as the target
 * answers them, through the project's initiator; sequential (one connection at a time) and with
 * {@code --parallel N} connections at once. Counts verdicts the guesser learns from (0201
 * authentication failure) apart from logins the target refused without a verdict (e.g. 0301 while
 * throttled). Run by bench/login-guess.sh, which starts the server.
 *
 * <pre>
 * LoginGuessBench --portal HOST:PORT --target IQN --initiator IQN --user NAME [--seconds S] [--parallel N]
 * </pre>
 */
public final class LoginGuessBench {
    private String host = "127.0.0.1";
    private int port;
    private String target;
    private String initiator;
    private String user;
    private double seconds = 10;
    private int parallel = 1;

    public static void main(String[] args) throws Exception {
        LoginGuessBench b = new LoginGuessBench();
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--portal" -> {
                    b.host = v.substring(0, v.lastIndexOf(':'));
                    b.port = Integer.parseInt(v.substring(v.lastIndexOf(':') + 1));
                }
                case "--target" -> b.target = v;
                case "--initiator" -> b.initiator = v;
                case "--user" -> b.user = v;
                case "--seconds" -> b.seconds = Double.parseDouble(v);
                case "--parallel" -> b.parallel = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        b.run();
    }

    private void run() throws Exception {
        AtomicLong verdicts = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong maxWaitNanos = new AtomicLong();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        InitiatorOptions o = InitiatorOptions.defaults().withInitiatorName(initiator).withChap(user,
                "not-the-secret-" + System.nanoTime()).withTimeouts(java.time.Duration.ofSeconds(10),
                java.time.Duration.ofSeconds(120), java.time.Duration.ofSeconds(10));
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < parallel; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    try (IscsiSession s = IscsiSession.open(host, port, target, o)) {
                        errors.incrementAndGet(); // a wrong secret must never log in
                    } catch (LoginException e) {
                        if (e.statusClass() == 2 && e.statusDetail() == 1) {
                            verdicts.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                    maxWaitNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double took = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "parallel %d, %.1f s: %d authentication failures (%.1f/s), %d refused without"
                + " a verdict (%.1f/s), %d other errors; slowest login %.2f s%n", parallel, took, verdicts.get(),
                verdicts.get() / took, refused.get(), refused.get() / took, errors.get(), maxWaitNanos.get() / 1e9);
    }
}
