package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.e2e.RawSession;
import io.xtarget.e2e.Scsi;
import io.xtarget.e2e.Wire;
import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.iscsi.pdu.LogoutRequest;
import io.xtarget.iscsi.pdu.PduCodec;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile sessions in a loop: writes with R2Ts outstanding, half-sent Data-Out segments, CmdSN
 * gaps, immediate commands, unread reads; ended by LUN RESET from another session, ABORT TASK
 * SET, logout, reinstatement or a dropped socket. Afterwards nothing may be left: no connection,
 * no budget, no task in the LU's task set, and a new session works at once.
 */
@Timeout(180)
class AbortChaosLeakTest {
    static final int ROUNDS = 200;
    static final long MIB = 1 << 20;

    InetSocketAddress addr;

    RawSession login(String name, long isid, Map<String, String> keys) throws IOException {
        RawSession raw = RawSession.login(addr, FabricFixture.IQN, name, isid, keys);
        assertThat(raw.loggedIn()).as("login %s", name).isTrue();
        return raw;
    }

    static TaskMgmtRequest tmf(RawSession r, int function, int itt) {
        return new TaskMgmtRequest(true, function, 0, itt, -1, r.currentCmdSn(), r.expStatSn(), r.currentCmdSn(), 0);
    }

    @Test
    void nothingLeaksAfterManyAbortedSessions() throws Exception {
        IscsiServer.Options options = IscsiServer.Options.defaults().withDataBudget(33 * MIB, 64 * MIB);
        try (FabricFixture f = new FabricFixture(false, options)) {
            addr = new InetSocketAddress("127.0.0.1", f.port());
            Random rnd = new Random(42);
            byte[] data = Scsi.random(1 << 20, 1);
            try (RawSession resetter = login("iqn.2026-11.io.xtarget:chaos-resetter", 0x23d0000aaaaL, Map.of())) {
                resetter.clearUnitAttentions();
                for (int round = 0; round < ROUNDS; round++) {
                    int scenario = round % 7;
                    long isid = 0x23d00000000L + (rnd.nextInt(4));
                    RawSession a = login("iqn.2026-11.io.xtarget:chaos", isid, Wire.r2tOnly(256 * 1024));
                    try {
                        int blocks = 1 + rnd.nextInt(2048);
                        long lba = rnd.nextInt(100_000);
                        // one WRITE with its first R2T out, and a CmdSN gap with a WRITE behind it
                        a.send(Wire.write10(a, 1, lba, blocks, true));
                        R2t r2t = Wire.expectR2t(a, 1, 0, Math.min(256 * 1024, blocks * 512L));
                        int gap = a.takeCmdSn();
                        a.send(Wire.write10(a, 2, lba, 8, true));
                        a.send(Wire.command(a, false, 3, Scsi.read10(0, 2048), true, false, 2048 * 512L, true,
                                null));
                        a.send(Wire.command(a, true, 4, Scsi.read10(0, 2048), true, false, 2048 * 512L, true,
                                null));
                        // half of one Data-Out segment
                        int seg = (int) Math.min(r2t.desiredLength(), 65536);
                        DataOut d = new DataOut(false, 0, 1, r2t.ttt(), a.expStatSn(), 0, 0,
                                ByteBuffer.wrap(data, 0, seg));
                        a.sendBytes(ByteBuffer.wrap(PduCodec.header(d)));
                        a.sendBytes(ByteBuffer.wrap(data, 0, seg / 2));
                        switch (scenario) {
                            case 0 -> { // LUN RESET from another session, then the rest of the segment
                                resetter.send(tmf(resetter, TaskMgmtRequest.LOGICAL_UNIT_RESET, 0x100 + round));
                                assertThat(resetter.readUntil(TaskMgmtResponse.class).response()).isZero();
                                resetter.clearUnitAttentions();
                                a.sendBytes(ByteBuffer.wrap(data, seg / 2, seg - seg / 2));
                                Wire.ping(a, 0x7000);
                            }
                            case 1 -> { // target warm reset from another session
                                resetter.send(tmf(resetter, TaskMgmtRequest.TARGET_WARM_RESET, 0x100 + round));
                                assertThat(resetter.readUntil(TaskMgmtResponse.class).response()).isZero();
                                resetter.clearUnitAttentions();
                            }
                            case 2 -> { // reinstatement by the same initiator port
                                RawSession again = login("iqn.2026-11.io.xtarget:chaos", isid, Map.of());
                                again.close();
                            }
                            case 3 -> { // the rest of the segment, ABORT TASK SET, fill the gap, logout
                                a.sendBytes(ByteBuffer.wrap(data, seg / 2, seg - seg / 2));
                                a.send(tmf(a, TaskMgmtRequest.ABORT_TASK_SET, 0x200));
                                a.readUntil(TaskMgmtResponse.class);
                                a.send(Wire.commandWithCmdSn(a, false, 5, gap, Scsi.testUnitReady(), false, false, 0,
                                        true, null));
                                a.send(new LogoutRequest(true, 0, 0x300, 0, a.currentCmdSn(), a.expStatSn()));
                                Wire.awaitOutcome(a, -2, Duration.ofSeconds(2), null);
                            }
                            case 4 -> { // the rest of the segment, then logout with everything in flight
                                a.sendBytes(ByteBuffer.wrap(data, seg / 2, seg - seg / 2));
                                a.send(new LogoutRequest(true, 0, 0x300, 0, a.currentCmdSn(), a.expStatSn()));
                                Wire.awaitOutcome(a, -2, Duration.ofSeconds(2), null);
                            }
                            case 5 -> { // fill the gap with a READ nobody reads, drop the socket
                                a.sendBytes(ByteBuffer.wrap(data, seg / 2, seg - seg / 2));
                                a.send(Wire.commandWithCmdSn(a, false, 6, gap, Scsi.read10(0, 2048), true, false,
                                        2048 * 512L, true, null));
                            }
                            default -> { } // just drop the socket mid-segment
                        }
                    } finally {
                        a.close();
                    }
                }
                // everything of the chaos sessions must be gone within a moment
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (System.nanoTime() < deadline && (f.server.connections().size() > 1
                        || f.server.budget().used() > 0 || f.lu.tasks().size() > 0)) {
                    Thread.sleep(100);
                }
                assertThat(f.server.connections()).as("connections left after %d rounds", ROUNDS).hasSize(1);
                assertThat(f.lu.tasks().size()).as("tasks left in the LU's task set").isZero();
                assertThat(f.server.budget().used()).as("data budget still held").isZero();
                ScsiResponsePdu r = Wire.run(resetter, 0x9000, Scsi.write10(7, 8), Scsi.random(4096, 9));
                assertThat(r.status()).isEqualTo(Wire.GOOD);
            }
        }
    }
}
