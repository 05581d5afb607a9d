package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.testing.HeapStore;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * COMPARE AND WRITE (and ORWRITE, WRITE ATOMIC) holds its range exclusively; every other read and
 * write through the LU (commands, WRITE SAME, UNMAP, EXTENDED COPY including its fast path, on
 * either side of the copy) waits for it.
 */
class LogicalUnitLockingTest {

    private static LogicalUnit lu(int tail) {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[15] = (byte) tail;
        return new LogicalUnit("lu" + tail, new HeapStore(512, 8192), naa, "sn" + tail, false);
    }

    private static void assertBlocked(CompletableFuture<?> f) throws Exception {
        try {
            f.get(300, TimeUnit.MILLISECONDS);
            throw new AssertionError("the write went through while the range was held");
        } catch (TimeoutException expected) {
            // still waiting for the exclusive holder
        }
    }

    @Test
    void writesCopiesAndUnmapsWaitForAnExclusiveHolderWhoMayStillWriteItself() throws Exception {
        LogicalUnit dst = lu(1);
        LogicalUnit src = lu(2);
        CompletableFuture<Void> write;
        CompletableFuture<Long> copy;
        CompletableFuture<Void> unmap;
        try (LbaLocks.Held held = dst.lockExclusive(0, 8)) {
            dst.write(0, ByteBuffer.allocate(512), false); // the holder's own write does not deadlock
            write = CompletableFuture.runAsync(() -> {
                try {
                    dst.writeBytes(1024, ByteBuffer.allocate(512), false);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            copy = CompletableFuture.supplyAsync(() -> {
                try {
                    return src.copyTo(0, dst, 2048, 512);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            unmap = CompletableFuture.runAsync(() -> {
                try {
                    dst.unmap(7, 1);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertBlocked(write);
            assertBlocked(copy);
            assertBlocked(unmap);
            // a write far away (another stripe) is not held up
            dst.writeBytes(512L * 4096, ByteBuffer.allocate(512), false);
        }
        write.get(5, TimeUnit.SECONDS);
        assertThat(copy.get(5, TimeUnit.SECONDS)).isEqualTo(-1L); // heap stores: no fast path
        unmap.get(5, TimeUnit.SECONDS);
    }

    @Test
    void readsAndCopiesFromAHeldRangeWaitForItsHolder() throws Exception {
        LogicalUnit src = lu(3);
        LogicalUnit dst = lu(4);
        CompletableFuture<Void> read;
        CompletableFuture<Long> copyOut;
        CompletableFuture<Long> copyWithin;
        try (LbaLocks.Held held = src.lockExclusive(0, 8)) {
            src.read(0, ByteBuffer.allocate(512)); // the holder's own read does not deadlock
            read = CompletableFuture.runAsync(() -> {
                try {
                    src.read(2, ByteBuffer.allocate(512));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            copyOut = CompletableFuture.supplyAsync(() -> {
                try {
                    return src.copyTo(1024, dst, 0, 512);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            copyWithin = CompletableFuture.supplyAsync(() -> {
                try {
                    return src.copyTo(512L * 4096, src, 2048, 512); // from another stripe into the held one
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertBlocked(read);
            assertBlocked(copyOut);
            assertBlocked(copyWithin);
            src.read(4096, ByteBuffer.allocate(512)); // another stripe is not held up
        }
        read.get(5, TimeUnit.SECONDS);
        assertThat(copyOut.get(5, TimeUnit.SECONDS)).isEqualTo(-1L);
        assertThat(copyWithin.get(5, TimeUnit.SECONDS)).isEqualTo(-1L);
    }

    @Test
    void copiesBothWaysBetweenTwoLusDoNotDeadlock() throws Exception {
        LogicalUnit a = lu(5);
        LogicalUnit b = lu(6);
        for (int round = 0; round < 200; round++) {
            CompletableFuture<Long> ab = CompletableFuture.supplyAsync(() -> copy(a, b));
            CompletableFuture<Long> ba = CompletableFuture.supplyAsync(() -> copy(b, a));
            CompletableFuture<Void> atomicA = CompletableFuture.runAsync(() -> {
                try (LbaLocks.Held h = a.lockExclusive(0, 8)) {
                    a.write(0, ByteBuffer.allocate(512), false);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            ab.get(5, TimeUnit.SECONDS);
            ba.get(5, TimeUnit.SECONDS);
            atomicA.get(5, TimeUnit.SECONDS);
        }
    }

    private static long copy(LogicalUnit from, LogicalUnit to) {
        try {
            return from.copyTo(0, to, 0, 4096);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
