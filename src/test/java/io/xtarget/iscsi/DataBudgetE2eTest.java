package io.xtarget.iscsi;

import static io.xtarget.e2e.Wire.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.xtarget.e2e.RawSession;
import io.xtarget.e2e.Scsi;
import io.xtarget.e2e.Wire;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.Reject;
import io.xtarget.scsi.ScsiLimits;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Commands that declare a large transfer and never send their data must not make the target
 * allocate per declared length, nor slow down other initiators. The server runs in this JVM, so
 * its memory is this JVM's direct buffers and heap; the flood stops as soon as it grows too much.
 */
@Timeout(120)
class DataBudgetE2eTest {
    static final long MIB = 1 << 20;
    static final long DECLARED = ScsiLimits.MAX_TRANSFER_BYTES; // 32 MiB
    static final long BOUND = 256 * MIB;
    static final Duration PROMPT = Duration.ofSeconds(2);

    static InetSocketAddress address(FabricFixture f) {
        return new InetSocketAddress("127.0.0.1", f.port());
    }

    /** Direct buffers plus heap in use after a GC. */
    static long used() throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(50); // lets the cleaner free unreachable direct buffers
        }
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
        return direct + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static void assertBounded(long base, int commands, String what) throws InterruptedException {
        long grown = used() - base;
        if (grown >= BOUND) {
            fail("after %d %s each declaring %d MiB and sending no data, the server holds %d MiB more memory"
                    + " (bound %d MiB): it allocates per declared length", commands, what, DECLARED / MIB,
                    grown / MIB, BOUND / MIB);
        }
    }

    static RawSession hog(FabricFixture f, String who) throws IOException {
        return Wire.login(address(f), FabricFixture.IQN, "iqn.2026-11.io.xtarget:" + who,
                Wire.r2tOnly(262144), true);
    }

    static IscsiSession other(FabricFixture f, String who) throws Exception {
        InitiatorOptions o = Scsi.options("iqn.2026-11.io.xtarget:" + who)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));
        return within(PROMPT, "login of " + who, () -> IscsiSession.open("127.0.0.1", f.port(), FabricFixture.IQN, o));
    }

    static CommandResult prompt(IscsiSession s, String what, byte[] cdb, byte[] out, int in) throws Exception {
        CommandResult r = within(PROMPT, what, () -> s.execute(0, cdb, out == null ? null : ByteBuffer.wrap(out), in));
        assertThat(r.status()).as("%s: %s", what, r).isZero();
        return r;
    }

    @Test // RFC 7143 4.2.2.1 / 13.14: 64 WRITEs waiting for R2T-solicited data hold no per-length buffers
    void writesWaitingForTheirDataDoNotAllocateTheDeclaredLength() throws Exception {
        try (FabricFixture f = new FabricFixture(false)) {
            long base = used();
            try (RawSession hog = hog(f, "hog-waiting")) {
                for (int i = 0; i < 64; i++) {
                    hog.send(Wire.command(hog, false, i + 1, Scsi.write10(i, 1), false, true, DECLARED, true, null));
                    if (i % 4 == 3) {
                        Wire.ping(hog, 0x1000 + i); // the target has read every command so far
                        assertBounded(base, i + 1, "WRITEs");
                    }
                }
                try (IscsiSession s = other(f, "bystander-waiting")) {
                    prompt(s, "INQUIRY", Scsi.inquiry(36), null, 36);
                    prompt(s, "READ(10) of 4 KiB", Scsi.read10(1000, 8), null, 4096);
                }
                assertBounded(base, 64, "WRITEs");
            }
        }
    }

    /**
     * RFC 7143 3.2.2.1, 11.17.1: immediate commands are not limited by the CmdSN window; the target
     * may refuse them (Reject 06h, or a SCSI status), but must stay bounded and serve others.
     */
    @Test
    void immediateWritesNeverSendingDataAreBounded() throws Exception {
        try (FabricFixture f = new FabricFixture(false)) {
            long base = used();
            List<Integer> rejectReasons = new ArrayList<>();
            try (RawSession hog = hog(f, "hog-immediate")) {
                for (int i = 0; i < 200; i++) {
                    hog.send(Wire.command(hog, true, i + 1, Scsi.write10(i, 1), false, true, DECLARED, true, null));
                    if (i % 8 == 7) {
                        List<Pdu> got;
                        try {
                            got = Wire.ping(hog, 0x1000 + i);
                        } catch (IOException closed) {
                            break; // the target may drop an initiator that floods it
                        }
                        for (Pdu p : got) {
                            if (p instanceof Reject j) {
                                rejectReasons.add(j.reason());
                            }
                        }
                        assertBounded(base, i + 1, "immediate WRITEs");
                    }
                }
                assertThat(rejectReasons).as("Reject reasons").allMatch(r -> r == Reject.IMMEDIATE_COMMAND_REJECT);
                for (int k = 0; k < 3; k++) {
                    try (IscsiSession s = other(f, "bystander-immediate-" + k)) {
                        byte[] data = Scsi.random(4096, k);
                        prompt(s, "WRITE(10) of 4 KiB", Scsi.write10(2000 + 8 * k, 8), data, 0);
                        assertThat(prompt(s, "READ(10) of 4 KiB", Scsi.read10(2000 + 8 * k, 8), null, 4096)
                                .dataBytes()).isEqualTo(data);
                    }
                }
                assertBounded(base, 200, "immediate WRITEs");
            }
        }
    }
}
