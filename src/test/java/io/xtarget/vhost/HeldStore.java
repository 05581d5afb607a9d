package io.xtarget.vhost;

import io.xtarget.backend.ForwardingStore;
import io.xtarget.backend.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A store whose reads and writes wait for the latch {@code gate} supplies (at most 60 s), so
 * commands stay in flight as long as a test wants; slow as far as the core knows (commands on it
 * run on workers).
 */
final class HeldStore extends ForwardingStore {
    private final Supplier<CountDownLatch> gate;

    HeldStore(Store inner, Supplier<CountDownLatch> gate) {
        super(inner);
        this.gate = gate;
    }

    @Override
    public Speed speed() {
        return Speed.UNKNOWN;
    }

    private void held() throws IOException {
        try {
            gate.get().await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        held();
        super.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        held();
        super.write(offset, src, fua);
    }
}
