package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.LUN_FILE;
import static io.xtarget.e2e.E2eServer.LUN_RAM4K;
import static io.xtarget.e2e.E2eServer.LUN_RAM512;
import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.Scsi.capacity;
import static io.xtarget.e2e.Scsi.read;
import static io.xtarget.e2e.Scsi.random;
import static io.xtarget.e2e.Scsi.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.Digest;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.NegotiatedParameters;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.NopOut;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data through real iSCSI sessions of the project's initiator: written by one session, read by
 * another; every Data-Out path (R2T only, immediate, immediate + unsolicited Data-Out); CRC32C
 * digests; many sessions and many commands at once; the CmdSN window seen on the wire.
 */
@Timeout(120)
class DataPathE2eTest {
    private static final class TaskOrder {
        static final int SIMPLE = 1;
        static final int ORDERED = 2;
        static final int HEAD_OF_QUEUE = 3;
    }

    /** The target's advertised command window per session (iscsi.Session.QUEUE_DEPTH). */
    static final int QUEUE_DEPTH = 128;

    @TempDir
    static Path dir;
    static E2eServer server;
    static GatedStore gate;

    @BeforeAll
    static void start() throws Exception {
        server = E2eServer.standard(dir, (name, store) -> {
            if (name.equals("ram512")) {
                gate = new GatedStore(store);
                return gate;
            }
            return store;
        });
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static InitiatorOptions options(String who) {
        return Scsi.options("iqn.2026-11.io.xtarget:e2e-" + who);
    }

    @Test
    void dataWrittenThroughOneSessionIsReadThroughAnother() throws Exception {
        byte[] a = random(256 * 1024, 1);
        byte[] b = random(512 * 1024, 2);
        try (IscsiSession w = Scsi.open(server.url(LUN_RAM512), options("writer"))) {
            write(w, LUN_RAM512, 1000, a, 512);
            write(w, LUN_RAM4K, 300, b, 4096);
            w.logout();
        }
        try (IscsiSession r = Scsi.open(server.url(LUN_RAM512), options("reader"))) {
            assertThat(read(r, LUN_RAM512, 1000, a.length, 512)).isEqualTo(a);
            assertThat(read(r, LUN_RAM4K, 300, b.length, 4096)).isEqualTo(b);
            // The 4096-byte LU is addressed in 4096-byte blocks: LBA 300 is byte 1228800.
            assertThat(capacity(r, LUN_RAM4K)).containsExactly(64 * MIB / 4096, 4096);
            assertThat(capacity(r, LUN_RAM512)).containsExactly(64 * MIB / 512, 512);
        }
    }

    @Test
    void crc32cHeaderAndDataDigestsCarryMultiMiBTransfers() throws Exception {
        InitiatorOptions o = options("digest").withDigests(Digest.CRC32C, Digest.CRC32C);
        byte[] data = random(8 << 20, 3);
        try (IscsiSession s = Scsi.open(server.url(LUN_FILE), o)) {
            NegotiatedParameters p = s.parameters();
            assertThat(p.headerDigest()).isEqualTo(Digest.CRC32C);
            assertThat(p.dataDigest()).isEqualTo(Digest.CRC32C);
            write(s, LUN_FILE, 4096, data, 512);
            assertThat(read(s, LUN_FILE, 4096, data.length, 512)).isEqualTo(data);
        }
        // And a session without digests sees the same bytes.
        try (IscsiSession s = Scsi.open(server.url(LUN_FILE), options("digest"))) {
            assertThat(s.parameters().headerDigest()).isEqualTo(Digest.NONE);
            assertThat(read(s, LUN_FILE, 4096, data.length, 512)).isEqualTo(data);
        }
    }

    @Test
    void immediateAndUnsolicitedDataWithInitialR2TNo() throws Exception {
        InitiatorOptions o = options("unsolicited").withUnsolicitedData(true, false)
                .withSegmentAndBursts(16384, 262144, 65536);
        try (IscsiSession s = Scsi.open(server.url(LUN_RAM512), o)) {
            NegotiatedParameters p = s.parameters();
            assertThat(p.immediateData()).isTrue();
            assertThat(p.initialR2T()).isFalse();
            assertThat(p.firstBurstLength()).isEqualTo(65536);
            // Sizes around the first burst: all immediate, immediate + unsolicited Data-Out,
            // unsolicited then solicited (R2T) bursts, and an odd multi-MiB length.
            long lba = 20_000;
            for (int bytes : new int[] {512, 8192, 65536, 65536 + 512, 300 * 1024, (3 << 20) + 4608}) {
                byte[] d = random(bytes, bytes);
                write(s, LUN_RAM512, lba, d, 512);
                assertThat(read(s, LUN_RAM512, lba, bytes, 512)).as("%d bytes", bytes).isEqualTo(d);
                lba += bytes / 512;
            }
        }
    }

    @Test
    void initialR2TYesWithAndWithoutImmediateData() throws Exception {
        for (boolean immediate : new boolean[] {false, true}) {
            InitiatorOptions o = options("r2t").withUnsolicitedData(immediate, true)
                    .withSegmentAndBursts(32768, 131072, 65536).withMaxOutstandingR2T(1);
            try (IscsiSession s = Scsi.open(server.url(LUN_RAM4K), o)) {
                NegotiatedParameters p = s.parameters();
                assertThat(p.initialR2T()).isTrue();
                assertThat(p.immediateData()).isEqualTo(immediate);
                long lba = immediate ? 6000 : 5000;
                for (int bytes : new int[] {4096, 65536, (2 << 20) + 12288}) {
                    byte[] d = random(bytes, bytes + (immediate ? 1 : 0));
                    write(s, LUN_RAM4K, lba, d, 4096);
                    assertThat(read(s, LUN_RAM4K, lba, bytes, 4096)).isEqualTo(d);
                    lba += bytes / 4096;
                }
            }
        }
    }

    @Test
    void manyConcurrentSessionsFromDifferentInitiatorsEachWriteTheirOwnRegion() throws Exception {
        int sessions = 12;
        int bytes = 1 << 20;
        long base = 40_000;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Void>> done = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                int k = i;
                done.add(pool.submit(() -> {
                    try (IscsiSession s = Scsi.open(server.url(LUN_FILE), options("many-" + k))) {
                        byte[] d = random(bytes, 100 + k);
                        long lba = base + (long) k * (bytes / 512);
                        write(s, LUN_FILE, lba, d, 512);
                        assertThat(read(s, LUN_FILE, lba, bytes, 512)).isEqualTo(d);
                    }
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        }
        try (IscsiSession s = Scsi.open(server.url(LUN_FILE), options("many-verifier"))) {
            for (int k = 0; k < sessions; k++) {
                long lba = base + (long) k * (bytes / 512);
                assertThat(read(s, LUN_FILE, lba, bytes, 512)).as("region %d", k).isEqualTo(random(bytes, 100 + k));
            }
        }
    }

    @Test
    void sixtyFourCommandsInFlightOnOneSession() throws Exception {
        int n = 64;
        int bytes = 32 * 1024;
        long base = 10_000;
        try (IscsiSession s = Scsi.open(server.url(LUN_RAM4K), options("inflight"))) {
            Scsi.clearUnitAttentions(s, LUN_RAM4K);
            List<CompletableFuture<CommandResult>> writes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                writes.add(s.submit(LUN_RAM4K, Scsi.write10(base + (long) i * 8, 8), ByteBuffer.wrap(random(bytes, i)),
                        0));
            }
            for (CompletableFuture<CommandResult> f : writes) {
                assertThat(f.get().status()).as("%s", f.get()).isZero();
            }
            List<CompletableFuture<CommandResult>> reads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                reads.add(s.submit(LUN_RAM4K, Scsi.read10(base + (long) i * 8, 8), null, bytes));
            }
            for (int i = 0; i < n; i++) {
                CommandResult r = reads.get(i).get();
                assertThat(r.status()).as("%s", r).isZero();
                assertThat(r.dataBytes()).isEqualTo(random(bytes, i));
            }
        }
    }

    /**
     * RFC 7143 4.2.2.1: the target accepts commands only with CmdSN in [ExpCmdSN, MaxCmdSN] and
     * silently drops the rest. With every write held inside the store, an initiator that ignores
     * the window sends QUEUE_DEPTH + 32 commands: exactly QUEUE_DEPTH reach SCSI, the window
     * reported in the meantime is closed, the extra ones never run nor get a response.
     */
    @Test
    void targetNeverRunsMoreCommandsThanItsCmdSnWindow() throws Exception {
        String initiator = "iqn.2026-11.io.xtarget:e2e-window";
        int sent = QUEUE_DEPTH + 32;
        long base = 100_000;
        try (IscsiSession prep = Scsi.open(server.url(LUN_RAM512), Scsi.options(initiator))) {
            Scsi.write(prep, LUN_RAM512, base, new byte[sent * 512], 512);
        }
        int before = gate.writes();
        try (RawSession raw = RawSession.login(server.address(), E2eServer.TARGET, initiator, 0x00023d000001L)) {
            assertThat(raw.loggedIn()).as("%s", raw.login()).isTrue();
            assertThat(raw.login().maxCmdSn() - raw.login().expCmdSn() + 1).isEqualTo(QUEUE_DEPTH);
            raw.clearUnitAttentions();
            gate.shut();
            int firstCmdSn = raw.currentCmdSn();
            for (int i = 0; i < sent; i++) {
                byte[] cdb = java.util.Arrays.copyOf(Scsi.write10(base + i, 1), 16);
                byte[] block = new byte[512];
                java.util.Arrays.fill(block, (byte) (i + 1));
                raw.send(new ScsiCommandPdu(false, true, false, true, 1, 0, i + 1, 512, raw.takeCmdSn(),
                        raw.expStatSn(), cdb, ByteBuffer.wrap(block)));
            }
            gate.awaitFirstWrite();
            // An immediate NOP is answered by the reader after it has seen every command above.
            raw.send(new NopOut(true, 0, 0x1000, -1, raw.currentCmdSn(), raw.expStatSn(), null));
            Pdu first = raw.read();
            assertThat(first).as("nothing completes while the store holds every write").isInstanceOf(NopIn.class);
            NopIn held = (NopIn) first;
            assertThat(held.expCmdSn()).isEqualTo(firstCmdSn + QUEUE_DEPTH);
            assertThat(held.maxCmdSn()).as("window closed while %d commands are held", QUEUE_DEPTH)
                    .isEqualTo(held.expCmdSn() - 1);
            gate.open();
            Set<Integer> answered = new HashSet<>();
            while (answered.size() < QUEUE_DEPTH) {
                Pdu p = raw.read();
                assertThat(p).isInstanceOf(ScsiResponsePdu.class);
                ScsiResponsePdu r = (ScsiResponsePdu) p;
                assertThat(r.status()).isZero();
                assertThat(r.itt()).as("only CmdSN inside the window run").isBetween(1, QUEUE_DEPTH);
                assertThat(answered.add(r.itt())).isTrue();
                assertThat(r.maxCmdSn() - r.expCmdSn() + 1).isBetween(0, QUEUE_DEPTH);
            }
            // Nothing more is coming for the dropped commands: the next PDU answers this ping.
            raw.send(new NopOut(true, 0, 0x1001, -1, raw.currentCmdSn(), raw.expStatSn(), null));
            Pdu next = raw.read();
            assertThat(next).isInstanceOf(NopIn.class);
            NopIn idle = (NopIn) next;
            assertThat(idle.itt()).isEqualTo(0x1001);
            assertThat(idle.maxCmdSn() - idle.expCmdSn() + 1).isEqualTo(QUEUE_DEPTH);
        } finally {
            gate.open();
        }
        assertThat(gate.writes() - before).isEqualTo(QUEUE_DEPTH);
        try (IscsiSession check = Scsi.open(server.url(LUN_RAM512), Scsi.options(initiator))) {
            byte[] d = read(check, LUN_RAM512, base, sent * 512, 512);
            for (int i = 0; i < sent; i++) {
                byte expect = i < QUEUE_DEPTH ? (byte) (i + 1) : 0;
                assertThat(d[i * 512]).as("block %d", i).isEqualTo(expect);
                assertThat(d[i * 512 + 511]).as("block %d", i).isEqualTo(expect);
            }
        }
    }

    /**
     * SAM-5 8.6 task attributes on the wire: while a SIMPLE write is held in the store, an ORDERED
     * command and the SIMPLE one after it wait; a HEAD OF QUEUE command does not.
     */
    @Test
    void orderedTasksWaitForOlderOnesAndHoldBackYoungerOnes() throws Exception {
        String initiator = "iqn.2026-11.io.xtarget.test:ordered";
        try (RawSession raw = RawSession.login(server.address(), E2eServer.TARGET, initiator, 0x00023d000077L)) {
            assertThat(raw.loggedIn()).as("%s", raw.login()).isTrue();
            raw.clearUnitAttentions();
            gate.shut();
            try {
                byte[] write = java.util.Arrays.copyOf(Scsi.write10(1_000, 1), 16);
                raw.send(new ScsiCommandPdu(false, true, false, true, TaskOrder.SIMPLE, LunAddressOf(LUN_RAM512), 1,
                        512, raw.takeCmdSn(), raw.expStatSn(), write, ByteBuffer.wrap(new byte[512])));
                if (!gate.awaitFirstWrite(10)) {
                    throw new AssertionError("write did not reach the store: " + raw.read());
                }
                byte[] tur = new byte[16];
                raw.send(new ScsiCommandPdu(false, true, false, false, TaskOrder.ORDERED, LunAddressOf(LUN_RAM512), 2,
                        0, raw.takeCmdSn(), raw.expStatSn(), tur, null));
                raw.send(new ScsiCommandPdu(false, true, false, false, TaskOrder.SIMPLE, LunAddressOf(LUN_RAM512), 3,
                        0, raw.takeCmdSn(), raw.expStatSn(), tur, null));
                raw.send(new ScsiCommandPdu(false, true, false, false, TaskOrder.HEAD_OF_QUEUE,
                        LunAddressOf(LUN_RAM512), 4, 0, raw.takeCmdSn(), raw.expStatSn(), tur, null));
                Pdu first = raw.read();
                assertThat(first).isInstanceOf(ScsiResponsePdu.class);
                assertThat(((ScsiResponsePdu) first).itt()).as("HEAD OF QUEUE does not wait").isEqualTo(4);
                raw.send(new NopOut(true, 0, 0x2000, -1, raw.currentCmdSn(), raw.expStatSn(), null));
                assertThat(raw.read()).as("the ORDERED task and the one behind it wait").isInstanceOf(NopIn.class);
            } finally {
                gate.open();
            }
            java.util.List<Integer> order = new java.util.ArrayList<>();
            while (order.size() < 3) {
                Pdu p = raw.read();
                if (p instanceof ScsiResponsePdu r) {
                    assertThat(r.status()).isZero();
                    order.add(r.itt());
                }
            }
            assertThat(order).containsExactly(1, 2, 3);
        }
    }

    private static long LunAddressOf(int lun) {
        return io.xtarget.scsi.LunAddress.encode(lun);
    }

}
