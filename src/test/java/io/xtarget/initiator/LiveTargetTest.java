package io.xtarget.initiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xtarget.e2e.E2eServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the initiator against a real target: by default an xtarget started in-process (see
 * {@link E2eServer}), or the target given as {@code -Dxtarget.test.url=iscsi://host:port/iqn/lun}
 * (e.g. the reference tgt: {@code iscsi://127.0.0.1:3261/iqn.2026-11.io.tgt:base/1}; skipped
 * unless it answers). {@code -Dxtarget.test.resetLun} is the LUN to reset (default 0, so a shared
 * disk LUN of an external target gets no unit attention from us).
 */
class LiveTargetTest {
    static IscsiUrl URL;
    static final int RESET_LUN = Integer.getInteger("xtarget.test.resetLun", 0);
    static int LUN;
    static E2eServer server;
    @TempDir
    static Path dir;

    @BeforeAll
    static void target() throws IOException {
        String given = System.getProperty("xtarget.test.url");
        if (given == null) {
            server = E2eServer.standard(dir);
            URL = IscsiUrl.parse(server.url(E2eServer.LUN_FILE));
        } else {
            URL = IscsiUrl.parse(given);
            boolean up;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(URL.host(), URL.port()), 1000);
                up = true;
            } catch (IOException e) {
                up = false;
            }
            assumeTrue(up, "no iSCSI target at " + URL);
        }
        LUN = URL.lun();
    }

    @AfterAll
    static void stopTarget() {
        if (server != null) {
            server.close();
        }
    }

    static InitiatorOptions options() {
        return InitiatorOptions.defaults().withInitiatorName("iqn.2026-11.io.xtarget:test-initiator");
    }

    /** Runs a command, retrying while the target reports a unit attention (SPC-4 5.14: UAs are reported once). */
    static CommandResult run(IscsiSession s, byte[] cdb, ByteBuffer out, int in) throws IOException {
        CommandResult r = s.execute(LUN, cdb, out, in);
        for (int i = 0; i < 4 && r.status() == CommandResult.CHECK_CONDITION
                && r.senseData().map(d -> d.senseKey() == 6).orElse(false); i++) {
            r = s.execute(LUN, cdb, out, in);
        }
        return r;
    }

    static long[] capacity(IscsiSession s) throws IOException {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x9E;
        cdb[1] = 0x10;
        cdb[13] = 32;
        CommandResult r = run(s, cdb, null, 32);
        assertThat(r.status()).as(r.toString()).isZero();
        ByteBuffer d = r.data();
        return new long[] {d.getLong(0) + 1, d.getInt(8)};
    }

    static byte[] rw10(int op, long lba, int blocks) {
        byte[] c = new byte[10];
        c[0] = (byte) op;
        ByteBuffer.wrap(c).putInt(2, (int) lba).putShort(7, (short) blocks);
        return c;
    }

    @Test
    void discoveryListsTheTarget() throws IOException {
        List<DiscoveredTarget> targets = IscsiSession.discover(URL.host(), URL.port(), options());
        assertThat(targets).extracting(DiscoveredTarget::name).contains(URL.targetName());
        DiscoveredTarget t = targets.stream().filter(x -> x.name().equals(URL.targetName())).findFirst().orElseThrow();
        assertThat(t.addresses()).isNotEmpty();
        assertThat(t.addresses().getFirst()).contains(",");
    }

    @Test
    void inquiryWithoutDigests() throws IOException {
        try (IscsiSession s = IscsiSession.open(URL, options())) {
            assertThat(s.parameters().headerDigest()).isEqualTo(Digest.NONE);
            assertThat(s.tsih()).isNotZero();
            CommandResult r = s.execute(LUN, new byte[] {0x12, 0, 0, 0, (byte) 96, 0}, null, 96);
            assertThat(r.status()).isZero();
            assertThat(r.data().remaining()).isGreaterThanOrEqualTo(36);
            assertThat(r.data().get(0) & 0x1F).isZero(); // direct access block device
        }
    }

    @Test
    void loginWithCrc32cDigestsStraightToOperational() throws IOException {
        InitiatorOptions o = options().withDigests(List.of(Digest.CRC32C, Digest.NONE),
                List.of(Digest.CRC32C, Digest.NONE)).withSecurityStage(false);
        try (IscsiSession s = IscsiSession.open(URL, o)) {
            System.out.println("digests chosen by " + URL + ": " + s.parameters());
            CommandResult r = s.execute(LUN, new byte[] {0x12, 0, 0, 0, (byte) 255, 0}, null, 255);
            assertThat(r.status()).isZero();
            assertThat(capacity(s)[0]).isPositive();
            s.nop();
        }
    }

    @Test
    void unknownTargetIsRefusedWithStatus() {
        assertThatThrownBy(() -> IscsiSession.open(URL.host(), URL.port(), "iqn.2026-11.io.xtarget:no-such-target",
                options())).isInstanceOfSatisfying(LoginException.class, e -> {
                    assertThat(e.statusClass()).isEqualTo(2);
                    assertThat(e.statusDetail()).isEqualTo(3);
                    assertThat(e.getMessage()).contains("target not found");
                });
    }

    @Test
    void readCapacity16() throws IOException {
        try (IscsiSession s = IscsiSession.open(URL, options())) {
            long[] cap = capacity(s);
            assertThat(cap[0]).isPositive();
            assertThat(cap[1]).isIn(512L, 4096L);
        }
    }

    @Test
    void writeAndReadBackSeveralMiBWithR2T() throws IOException {
        roundTrip(options().withUnsolicitedData(false, true), 4 << 20);
    }

    @Test
    void writeAndReadBackWithImmediateAndUnsolicitedDataAndDigests() throws IOException {
        roundTrip(options().withUnsolicitedData(true, false).withDigests(List.of(Digest.CRC32C, Digest.NONE),
                List.of(Digest.CRC32C, Digest.NONE)).withSegmentAndBursts(65536, 262144, 65536), 3 << 20);
    }

    private void roundTrip(InitiatorOptions o, int bytes) throws IOException {
        try (IscsiSession s = IscsiSession.open(URL, o)) {
            long[] cap = capacity(s);
            int bs = (int) cap[1];
            int blocks = bytes / bs;
            Random rnd = new Random();
            long lba = cap[0] / 2 + (long) rnd.nextInt((int) Math.min(Integer.MAX_VALUE, cap[0] / 2 - blocks));
            byte[] data = new byte[bytes];
            rnd.nextBytes(data);
            CommandResult w = run(s, rw10(0x2A, lba, blocks), ByteBuffer.wrap(data), 0);
            assertThat(w.status()).as(w.toString()).isZero();
            CommandResult r = run(s, rw10(0x28, lba, blocks), null, bytes);
            assertThat(r.status()).as(r.toString()).isZero();
            assertThat(r.data().remaining()).isEqualTo(bytes);
            assertThat(r.dataBytes()).isEqualTo(data);
        }
    }

    @Test
    void thirtyTwoCommandsInFlightFromSeveralThreads() throws Exception {
        try (IscsiSession s = IscsiSession.open(URL, options()); ExecutorService pool = Executors.newFixedThreadPool(4)) {
            long[] cap = capacity(s);
            int bs = (int) cap[1];
            int blocks = 65536 / bs;
            long base = cap[0] / 4 + (new Random().nextLong() & Long.MAX_VALUE) % (cap[0] / 4);
            byte[][] payload = new byte[32][65536];
            List<Future<CompletableFuture<CommandResult>>> writes = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                int k = i;
                new Random(k).nextBytes(payload[k]);
                writes.add(pool.submit(() -> s.submit(LUN, rw10(0x2A, base + (long) k * blocks, blocks),
                        ByteBuffer.wrap(payload[k]), 0)));
            }
            for (Future<CompletableFuture<CommandResult>> f : writes) {
                CommandResult r = f.get().get();
                assertThat(r.status()).as(r.toString()).isZero();
            }
            List<Future<CompletableFuture<CommandResult>>> reads = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                int k = i;
                reads.add(pool.submit(() -> s.submit(LUN, rw10(0x28, base + (long) k * blocks, blocks), null, 65536)));
            }
            for (int i = 0; i < 32; i++) {
                CommandResult r = reads.get(i).get().get();
                assertThat(r.status()).as(r.toString()).isZero();
                assertThat(r.dataBytes()).isEqualTo(payload[i]);
            }
        }
    }

    @Test
    void nopPingAndTaskManagement() throws IOException {
        try (IscsiSession s = IscsiSession.open(URL, options())) {
            s.nop();
            assertThat(s.nop(new byte[] {1, 2, 3, 4, 5})).containsExactly(1, 2, 3, 4, 5);
            assertThat(s.abortTask(0x7777)).isIn(0, 1);
            assertThat(s.lunReset(RESET_LUN)).isZero();
            s.nop();
        }
    }

    @Test
    void shortReadReportsUnderflowAndCheckConditionCarriesSense() throws IOException {
        try (IscsiSession s = IscsiSession.open(URL, options())) {
            // INQUIRY allocation length 36, but we expect 200 bytes: the target returns 36 (underflow).
            CommandResult r = s.execute(LUN, new byte[] {0x12, 0, 0, 0, 36, 0}, null, 200);
            assertThat(r.status()).isZero();
            assertThat(r.data().remaining()).isEqualTo(36);
            assertThat(r.underflow()).isTrue();
            assertThat(r.residualCount()).isEqualTo(164);
            // Unknown opcode 0xFF: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (20/00).
            CommandResult bad = run(s, new byte[] {(byte) 0xFF, 0, 0, 0, 0, 0}, null, 0);
            assertThat(bad.status()).isEqualTo(CommandResult.CHECK_CONDITION);
            SenseData sd = bad.senseData().orElseThrow();
            assertThat(sd.senseKey()).isEqualTo(5);
            assertThat(sd.asc()).isEqualTo(0x20);
        }
    }

    @Test
    void logoutClosesTheSession() throws IOException {
        IscsiSession s = IscsiSession.open(URL, options());
        s.logout();
        assertThat(s.isOpen()).isFalse();
        assertThatThrownBy(() -> s.execute(LUN, new byte[] {0x00, 0, 0, 0, 0, 0}, null, 0))
                .isInstanceOf(SessionClosedException.class);
        s.close();
    }
}
