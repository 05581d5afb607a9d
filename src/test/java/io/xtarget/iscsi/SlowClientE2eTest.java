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
import io.xtarget.scsi.ScsiLimits;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A session that queues large READs and then stops reading its socket: the target must keep
 * serving everyone else promptly and drop the stalled connection once its send timeout passes.
 */
@Timeout(90)
class SlowClientE2eTest {
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(3);
    static final Duration MARGIN = Duration.ofSeconds(3);
    static final Duration PROMPT = Duration.ofSeconds(2);
    /** The largest READ(10) within the fabric's transfer limit (the 16-bit TRANSFER LENGTH caps it). */
    static final int READ_BLOCKS = Math.min(ScsiLimits.MAX_TRANSFER_BYTES / 512, 0xFFFF);

    @Test // RFC 7143 (no clause bounds a stalled initiator): its queued output must not stall other sessions
    void aSessionThatStopsReadingIsDroppedAndStallsNoOneElse() throws Exception {
        IscsiServer.Options options = IscsiServer.Options.defaults().withSendTimeout(SEND_TIMEOUT);
        try (FabricFixture f = new FabricFixture(false, options);
                RawSession stalled = Wire.login(new InetSocketAddress("127.0.0.1", f.port()), FabricFixture.IQN,
                        "iqn.2026-11.io.xtarget:stalled", Map.of(), true)) {
            int reads = Math.max(16, options.workerThreads());
            for (int i = 0; i < reads; i++) {
                stalled.send(Wire.command(stalled, false, i + 1, Scsi.read10(0, READ_BLOCKS), true, false,
                        READ_BLOCKS * 512L, true, null));
            }
            long stalledSince = System.nanoTime(); // from here on, nobody reads this socket

            for (int k = 0; k < 8; k++) {
                InitiatorOptions o = Scsi.options("iqn.2026-11.io.xtarget:patient-" + k)
                        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));
                String who = "session " + k + " (while another session stalls " + reads + " READs of "
                        + READ_BLOCKS + " blocks)";
                try (IscsiSession s = within(PROMPT, "login of " + who,
                        () -> IscsiSession.open("127.0.0.1", f.port(), FabricFixture.IQN, o))) {
                    prompt(s, "INQUIRY on " + who, Scsi.inquiry(36), null, 36);
                    byte[] data = Scsi.random(4096, k);
                    prompt(s, "WRITE(10) of 4 KiB on " + who, Scsi.write10(100_000 + 8 * k, 8), data, 0);
                    assertThat(prompt(s, "READ(10) of 4 KiB on " + who, Scsi.read10(100_000 + 8 * k, 8), null, 4096)
                            .dataBytes()).isEqualTo(data);
                }
            }

            // Only after the send timeout (plus a margin) may this socket be read: earlier reads would
            // unblock the target. By then it must be closed, with at most what was already in the
            // socket buffers left to read.
            long dropBy = stalledSince + SEND_TIMEOUT.plus(MARGIN).toNanos();
            long wait = dropBy - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait));
            }
            long bytes = 0;
            while (true) {
                Pdu p;
                try {
                    p = stalled.read(PROMPT);
                } catch (IOException closed) {
                    return; // dropped
                }
                if (p == null) {
                    fail("%s after it stopped reading, the stalled connection is still open (send timeout %s)",
                            SEND_TIMEOUT.plus(MARGIN), SEND_TIMEOUT);
                }
                bytes += p.data().remaining();
                if (bytes > ScsiLimits.MAX_TRANSFER_BYTES) {
                    fail("%s after the stalled session stopped reading, the target still sends it data (%d MiB"
                            + " read since): the connection was not dropped at the send timeout %s",
                            SEND_TIMEOUT.plus(MARGIN), bytes >> 20, SEND_TIMEOUT);
                }
            }
        }
    }

    static CommandResult prompt(IscsiSession s, String what, byte[] cdb, byte[] out, int in) throws Exception {
        CommandResult r = within(PROMPT, what, () -> s.execute(0, cdb, out == null ? null : ByteBuffer.wrap(out), in));
        assertThat(r.status()).as("%s: %s", what, r).isZero();
        return r;
    }
}
