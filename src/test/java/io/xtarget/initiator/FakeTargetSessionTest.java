package io.xtarget.initiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Session behaviour against {@link FakeTarget}: the paths a well-behaved real target rarely takes. */
class FakeTargetSessionTest {
    private static final String IQN = "iqn.2026-11.io.xtarget:fake";

    private static InitiatorOptions options() {
        return InitiatorOptions.defaults();
    }

    private static byte[] rw10(int op, long lba, int blocks) {
        byte[] c = new byte[10];
        c[0] = (byte) op;
        ByteBuffer.wrap(c).putInt(2, (int) lba).putShort(7, (short) blocks);
        return c;
    }

    @Test
    void refusedLoginReportsStatusClassAndDetail() throws Exception {
        try (FakeTarget t = new FakeTarget()) {
            t.refuseClass = 2;
            t.refuseDetail = 1;
            t.start();
            assertThatThrownBy(() -> IscsiSession.open("127.0.0.1", t.port(), IQN, options()))
                    .isInstanceOfSatisfying(LoginException.class, e -> {
                        assertThat(e.statusClass()).isEqualTo(2);
                        assertThat(e.statusDetail()).isEqualTo(1);
                        assertThat(e.getMessage()).contains("authentication failure");
                    });
        }
    }

    @Test
    void loginResponseSplitOverContinueBitIsReassembled() throws Exception {
        try (FakeTarget t = new FakeTarget()) {
            t.splitLoginResponse = true;
            t.answers.put("MaxBurstLength", "131072");
            t.answers.put("MaxRecvDataSegmentLength", "4096");
            t.start();
            try (IscsiSession s = IscsiSession.open("127.0.0.1", t.port(), IQN, options())) {
                assertThat(s.parameters().maxBurstLength()).isEqualTo(131072);
                assertThat(s.parameters().targetMaxRecvDataSegmentLength()).isEqualTo(4096);
                assertThat(s.parameters().targetPortalGroupTag()).isEqualTo(1);
                assertThat(s.tsih()).isEqualTo(7);
                s.nop();
            }
            assertThat(t.events).contains("continue login: T=false len=0", "logged out");
        }
    }

    @Test
    void immediateUnsolicitedAndSolicitedDataWithDigests() throws Exception {
        try (FakeTarget t = new FakeTarget()) {
            t.answers.put("InitialR2T", "No");
            t.answers.put("ImmediateData", "Yes");
            t.answers.put("FirstBurstLength", "65536");
            t.answers.put("HeaderDigest", "CRC32C");
            t.answers.put("DataDigest", "CRC32C");
            t.answers.put("MaxRecvDataSegmentLength", "8192");
            t.start();
            InitiatorOptions o = options().withUnsolicitedData(true, false).withDigests(Digest.CRC32C, Digest.CRC32C);
            try (IscsiSession s = IscsiSession.open("127.0.0.1", t.port(), IQN, o)) {
                assertThat(s.parameters().initialR2T()).isFalse();
                assertThat(s.parameters().headerDigest()).isEqualTo(Digest.CRC32C);
                byte[] data = new byte[300 * 1024];
                new Random(5).nextBytes(data);
                CommandResult w = s.execute(0, rw10(0x2A, 8, data.length / 512), ByteBuffer.wrap(data), 0);
                assertThat(w.status()).isZero();
                // 8 KiB immediate (one segment), unsolicited up to FirstBurstLength, then R2Ts of 64 KiB.
                assertThat(t.immediateBytes).isEqualTo(8192);
                assertThat(t.unsolicitedBytes).isEqualTo(65536 - 8192);
                assertThat(t.r2tCount).isEqualTo(4);
                CommandResult r = s.execute(0, rw10(0x28, 8, data.length / 512), null, data.length);
                assertThat(r.dataBytes()).isEqualTo(data);
            }
        }
    }

    @Test
    void targetPingIsAnsweredWithItsTargetTransferTag() throws Exception {
        try (FakeTarget t = new FakeTarget()) {
            t.pingAfterLogin = true;
            t.start();
            try (IscsiSession s = IscsiSession.open("127.0.0.1", t.port(), IQN, options())) {
                t.pingAnswered.await();
                s.nop();
            }
        }
    }

    @Test
    void commandWindowIsNeverExceeded() throws Exception {
        try (FakeTarget t = new FakeTarget(); ExecutorService pool = Executors.newFixedThreadPool(4)) {
            t.window = 2;
            t.start();
            try (IscsiSession s = IscsiSession.open("127.0.0.1", t.port(), IQN, options())) {
                List<Future<CommandResult>> fs = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    int k = i;
                    fs.add(pool.submit(() -> s.execute(0, rw10(0x28, k, 8), null, 4096)));
                }
                for (Future<CommandResult> f : fs) {
                    assertThat(f.get().status()).isZero();
                }
            }
            assertThat(t.windowViolations.get()).isZero();
        }
    }

    @Test
    void droppedConnectionFailsEveryPendingCommand() throws Exception {
        try (FakeTarget t = new FakeTarget()) {
            t.dropAfterCommands = 5;
            t.start();
            IscsiSession s = IscsiSession.open("127.0.0.1", t.port(), IQN, options());
            List<CompletableFuture<CommandResult>> fs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                fs.add(s.submit(0, rw10(0x28, i, 1), null, 512));
            }
            for (CompletableFuture<CommandResult> f : fs) {
                assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(SessionClosedException.class);
            }
            assertThat(s.isOpen()).isFalse();
            assertThatThrownBy(() -> s.execute(0, rw10(0x28, 0, 1), null, 512))
                    .isInstanceOf(SessionClosedException.class);
            assertThatThrownBy(s::nop).isInstanceOf(SessionClosedException.class);
            s.close();
        }
    }
}
