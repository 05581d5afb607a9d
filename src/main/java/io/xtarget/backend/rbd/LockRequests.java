package io.xtarget.backend.rbd;

import io.xtarget.backend.StoreFencedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The messages of the lock handoff between the gateways of one image ({@link RbdLockHandoff}), on
 * a {@link RadosNotifyChannel} on the object {@code xtarget.lock.IMAGE}: a request for the lock is
 * the notify {@code "release"}; a gateway that holds the lock when the request arrives
 * acknowledges it with {@code "xtarget-lock-holder"}, every other one with nothing. A request
 * reaches the holder's handler on a virtual thread of its own (never on librados' thread).
 */
final class LockRequests {
    private static final byte[] RELEASE = "release".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HOLDER = "xtarget-lock-holder".getBytes(StandardCharsets.US_ASCII);

    private LockRequests() {}

    /**
     * Watches the handoff object of {@code spec}.
     *
     * @param holding whether this gateway holds the lock now (cheap: it runs on librados' thread)
     * @param onRequest what a request makes this gateway do (give the lock up), on a virtual thread
     * @param stall tests: a latch that holds the acknowledgement back while closed (a hung gateway)
     */
    static RadosNotifyChannel open(RbdImageSpec spec, BooleanSupplier holding, Runnable onRequest,
            Supplier<CountDownLatch> stall) throws IOException {
        return RadosNotifyChannel.openAnswering(spec, "xtarget.lock.", message -> {
            CountDownLatch latch = stall.get();
            if (latch != null) {
                try {
                    latch.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (!Arrays.equals(message, RELEASE)) {
                return null;
            }
            boolean held = holding.getAsBoolean();
            Thread.ofVirtual().name("xt-rbd-release").start(onRequest);
            return held ? HOLDER : null;
        });
    }

    /**
     * Sends a request for the lock: whether the holder is alive, i.e. every gateway acknowledged it
     * within {@code timeout}, or the holder did (its acknowledgement says so) while another watcher
     * stayed silent (a hung or killed third gateway's lingering watch must not get a live holder
     * fenced).
     *
     * @throws StoreFencedException (NOT READY) when the request could not be sent at all: nothing
     *     is known of the holder, so it must not be broken
     */
    static boolean tell(RadosNotifyChannel channel, Duration timeout, RbdImageSpec spec) throws IOException {
        RadosNotifyChannel.Answer answer;
        try {
            answer = channel.ask(RELEASE, timeout);
        } catch (IOException e) {
            throw new StoreFencedException(spec + ": cannot ask for the exclusive lock: " + e.getMessage(),
                    StoreFencedException.Reason.LOCKED_ELSEWHERE);
        }
        return answer.complete() || answer.contains(HOLDER);
    }

    /** {@link #tell} on a virtual thread of its own: the asker watches the lock meanwhile. */
    static CompletableFuture<Boolean> tellAsync(RadosNotifyChannel channel, Duration timeout, RbdImageSpec spec) {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        Thread.ofVirtual().name("xt-rbd-ask").start(() -> {
            try {
                f.complete(tell(channel, timeout, spec));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** The result of a finished {@link #tellAsync}, its failure rethrown. */
    static boolean outcome(CompletableFuture<Boolean> request) throws IOException {
        try {
            return request.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }
}
