package io.xtarget.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.LockOwnership;
import io.xtarget.backend.Store;
import io.xtarget.backend.StoreFencedException;
import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.Alua;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.TargetPort;
import io.xtarget.testing.HeapStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The watcher's decisions without Ceph, on a store that plays the shared image: the home
 * reported to {@link Alua}; a fenced store makes the LU non-optimized at once (2Ah/06h) and is
 * recovered, refusing writes for {@link GatewayLockWatcher#FENCED_HOLD_OFF}; an explicit claim is
 * refused as long, after it one goes through. The clock is the test's.
 */
class GatewayLockWatcherTest {
    /** A store shared by gateways, whose ownership the test sets. */
    static final class SharedStore implements Store, LockOwnership {
        final HeapStore data = new HeapStore(512, 64);
        volatile boolean owner;
        volatile boolean fenced;
        int recovered;
        int takenOver;
        int released;

        /** Set by releaseHome, cleared by claimHome: as the RBD store, the poll then leaves the lease alone. */
        volatile boolean givenUp;
        Duration refusedFor;

        @Override
        public boolean holdHome() {
            return owner && !fenced && !givenUp;
        }

        @Override
        public void claimHome() throws IOException {
            if (fenced) {
                throw new StoreFencedException("fenced", StoreFencedException.Reason.BLOCKLISTED);
            }
            takenOver++;
            givenUp = false;
            owner = true;
        }

        @Override
        public void releaseHome() throws IOException {
            if (fenced) {
                throw new StoreFencedException("fenced", StoreFencedException.Reason.BLOCKLISTED);
            }
            if (owner) {
                released++;
            }
            givenUp = true;
            owner = false;
        }

        @Override
        public boolean fenced() {
            return fenced;
        }

        @Override
        public void recover(Duration refuseWritesFor) {
            recovered++;
            refusedFor = refuseWritesFor;
            fenced = false;
            owner = false;
        }

        @Override
        public int blockSize() {
            return data.blockSize();
        }

        @Override
        public long sizeBytes() {
            return data.sizeBytes();
        }

        @Override
        public String kind() {
            return "shared";
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            data.read(offset, dst);
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
            data.write(offset, src, fua);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    @Test
    void aFencedGatewayTurnsNonOptimizedRecoversAndTakesNothingBackDuringTheHoldOff() throws Exception {
        SharedStore store = new SharedStore();
        LogicalUnit lu = new LogicalUnit("disk0", store, java.util.HexFormat.of().parseHex("6001405011223344556677889900aabc"), "SNW1", false);
        TargetPort port = IscsiPorts.targetPort("iqn.2026-01.io.xtarget:gw", 1, 1, 1, "127.0.0.1:3260");
        Nexus nexus = IscsiPorts.nexus("iqn.2026-01.org.example:host", 0x400001370000L, port);
        lu.unitAttentions().attach(nexus);
        lu.unitAttentions().poll(nexus); // POWER ON
        Alua alua = new Alua(List.of(new Alua.PeerGroup(2, List.of(2))));
        AtomicLong now = new AtomicLong(1_000_000_000L);
        GatewayLockWatcher w = new GatewayLockWatcher(alua, () -> List.of(lu), Duration.ofMillis(250),
                GatewayLockWatcher.FENCED_HOLD_OFF, now::get);

        store.owner = true;
        w.pollOnce();
        assertThat(alua.optimized(lu)).isTrue();

        store.fenced = true; // another gateway took the image over
        w.pollOnce();
        assertThat(alua.optimized(lu)).isFalse();
        assertThat(lu.unitAttentions().poll(nexus).ascq()).isEqualTo(0x06); // 2Ah/06h
        assertThat(store.recovered).isEqualTo(1);
        assertThat(store.fenced()).isFalse();
        assertThat(store.refusedFor).isEqualTo(GatewayLockWatcher.FENCED_HOLD_OFF); // the store refuses writes as long

        now.addAndGet(GatewayLockWatcher.FENCED_HOLD_OFF.toNanos() - 1);
        assertThatThrownBy(() -> w.claim(lu)).isInstanceOf(StoreFencedException.class);
        assertThat(store.takenOver).isZero();
        w.pollOnce();
        assertThat(alua.optimized(lu)).isFalse();

        now.addAndGet(1);
        w.claim(lu);
        assertThat(store.takenOver).isEqualTo(1);
        w.pollOnce();
        assertThat(alua.optimized(lu)).isTrue();
        w.close();
    }

    @Test
    void anExplicitReleaseGivesTheHomeUpAndThePollLeavesItToTheOthersUntilAClaim() throws Exception {
        SharedStore store = new SharedStore();
        LogicalUnit lu = new LogicalUnit("disk0", store, java.util.HexFormat.of().parseHex("6001405011223344556677889900aabd"), "SNW2", false);
        Alua alua = new Alua(List.of(new Alua.PeerGroup(2, List.of(2))));
        GatewayLockWatcher w = new GatewayLockWatcher(alua, () -> List.of(lu), Duration.ofMillis(250));
        assertThat(alua.explicit()).isTrue();
        store.owner = true;
        w.pollOnce();
        assertThat(alua.optimized(lu)).isTrue();

        alua.setExplicitly(lu, false, null);
        assertThat(store.released).isEqualTo(1);
        assertThat(alua.optimized(lu)).isFalse();
        store.owner = true; // the lease is free: a poll would take it, but this gateway gave it up
        w.pollOnce();
        assertThat(alua.optimized(lu)).isFalse();

        alua.setExplicitly(lu, true, null); // SET TARGET PORT GROUPS asks this gateway again
        assertThat(store.takenOver).isEqualTo(1);
        w.pollOnce();
        assertThat(alua.optimized(lu)).isTrue();
        w.close();
    }
}
