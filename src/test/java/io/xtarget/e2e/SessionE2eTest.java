package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.LUN_RAM4K;
import static io.xtarget.e2e.E2eServer.LUN_RAM512;
import static io.xtarget.e2e.Scsi.clearUnitAttentions;
import static io.xtarget.e2e.Scsi.sense;
import static io.xtarget.e2e.Scsi.testUnitReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.SenseData;
import io.xtarget.initiator.SessionClosedException;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.NopOut;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Session-level behaviour over real logins: ping, logout, task management, reinstatement. */
@Timeout(120)
class SessionE2eTest extends StandardServerE2e {
    static final int QUEUE_DEPTH = DataPathE2eTest.QUEUE_DEPTH;


    static InitiatorOptions options(String who) {
        return Scsi.options("iqn.2026-11.io.xtarget:e2e-" + who);
    }

    static IscsiSession open(String who) throws IOException {
        return Scsi.open(server.url(LUN_RAM512), options(who));
    }

    @Test
    void nopPingEchoesItsData() throws Exception {
        try (IscsiSession s = open("nop")) {
            s.nop();
            byte[] ping = Scsi.random(4000, 7);
            assertThat(s.nop(ping)).isEqualTo(ping);
            assertThat(s.nop(new byte[0])).isEmpty();
        }
    }

    @Test
    void logoutEndsTheSession() throws Exception {
        IscsiSession s = open("logout");
        clearUnitAttentions(s, LUN_RAM512);
        s.logout();
        assertThat(s.isOpen()).isFalse();
        assertThatThrownBy(() -> s.execute(LUN_RAM512, testUnitReady(), null, 0))
                .isInstanceOf(SessionClosedException.class);
        s.close();
        // The initiator port logs in again at once.
        try (IscsiSession again = open("logout")) {
            clearUnitAttentions(again, LUN_RAM512);
        }
    }

    /**
     * ABORT TASK of a write still waiting for its Data-Out (R2T sent, never answered): the TMF
     * completes, the aborted task gets no response (RFC 7143 4.2.3.3), its blocks stay untouched,
     * and its slot in the command window is returned.
     */
    @Test
    void abortTaskOfAWriteWaitingForData() throws Exception {
        String initiator = "iqn.2026-11.io.xtarget:e2e-abort";
        long lba = 7000;
        try (RawSession raw = RawSession.login(server.address(), E2eServer.TARGET, initiator, 0x00023d0000a1L)) {
            assertThat(raw.loggedIn()).as("%s", raw.login()).isTrue();
            raw.clearUnitAttentions();
            int writeCmdSn = raw.takeCmdSn();
            raw.send(new ScsiCommandPdu(false, true, false, true, 1, 0, 0x51, 4096, writeCmdSn, raw.expStatSn(),
                    Arrays.copyOf(Scsi.write10(lba, 8), 16), null));
            Pdu first = raw.read();
            assertThat(first).isInstanceOf(R2t.class);
            assertThat(((R2t) first).itt()).isEqualTo(0x51);
            assertThat(((R2t) first).desiredLength()).isEqualTo(4096);
            raw.send(new TaskMgmtRequest(true, TaskMgmtRequest.ABORT_TASK, 0, 0x52, 0x51, raw.currentCmdSn(),
                    raw.expStatSn(), writeCmdSn, 0));
            Pdu tmf = raw.read();
            assertThat(tmf).isInstanceOf(TaskMgmtResponse.class);
            assertThat(((TaskMgmtResponse) tmf).response()).isEqualTo(TaskMgmtResponse.COMPLETE);
            raw.send(new NopOut(true, 0, 0x53, -1, raw.currentCmdSn(), raw.expStatSn(), null));
            Pdu next = raw.read();
            assertThat(next).as("the aborted write gets no response").isInstanceOf(NopIn.class);
            NopIn nop = (NopIn) next;
            assertThat(nop.maxCmdSn() - nop.expCmdSn() + 1).as("window after the abort").isEqualTo(QUEUE_DEPTH);
            // The session goes on: a command after the abort runs.
            raw.send(new ScsiCommandPdu(false, true, false, false, 1, 0, 0x54, 0, raw.takeCmdSn(), raw.expStatSn(),
                    new byte[16], null));
            ScsiResponsePdu tur = raw.readUntil(ScsiResponsePdu.class);
            assertThat(tur.itt()).isEqualTo(0x54);
            assertThat(tur.status()).isZero();

            // Again with the write ahead of a CmdSN gap: aborted before it is even delivered.
            int gap = raw.takeCmdSn();
            int aheadCmdSn = raw.takeCmdSn();
            raw.send(new ScsiCommandPdu(false, true, false, true, 1, 0, 0x61, 4096, aheadCmdSn, raw.expStatSn(),
                    Arrays.copyOf(Scsi.write10(lba, 8), 16), null));
            assertThat(raw.read()).isInstanceOf(R2t.class);
            raw.send(new TaskMgmtRequest(true, TaskMgmtRequest.ABORT_TASK, 0, 0x62, 0x61, raw.currentCmdSn(),
                    raw.expStatSn(), aheadCmdSn, 0));
            assertThat(((TaskMgmtResponse) raw.read()).response()).isEqualTo(TaskMgmtResponse.COMPLETE);
            raw.send(new ScsiCommandPdu(false, true, false, false, 1, 0, 0x63, 0, gap, raw.expStatSn(),
                    new byte[16], null));
            ScsiResponsePdu filled = (ScsiResponsePdu) raw.read();
            assertThat(filled.itt()).isEqualTo(0x63);
            raw.send(new NopOut(true, 0, 0x64, -1, raw.currentCmdSn(), raw.expStatSn(), null));
            NopIn after = (NopIn) raw.read();
            assertThat(after.expCmdSn()).isEqualTo(raw.currentCmdSn());
            assertThat(after.maxCmdSn() - after.expCmdSn() + 1).as("window after the gap filled").isEqualTo(QUEUE_DEPTH);
        }
        try (IscsiSession s = open("abort-check")) {
            assertThat(Scsi.read(s, LUN_RAM512, lba, 4096, 512)).containsOnly(0);
        }
    }

    @Test
    void abortTaskOfAnUnknownTagAndOfACompletedCommand() throws Exception {
        try (IscsiSession s = open("abort-unknown")) {
            clearUnitAttentions(s, LUN_RAM512);
            assertThat(s.abortTask(0x7777)).isIn(TaskMgmtResponse.COMPLETE, TaskMgmtResponse.TASK_DOES_NOT_EXIST);
            s.nop();
            clearUnitAttentions(s, LUN_RAM512);
        }
    }

    /** SAM-5 6.3.3 / SPC-4 5.14: a LUN reset gives every I_T nexus, the issuer's too, one unit attention 29/03. */
    @Test
    void lunResetGivesEveryNexusOneUnitAttention() throws Exception {
        try (IscsiSession a = open("reset-a"); IscsiSession b = open("reset-b")) {
            for (IscsiSession s : new IscsiSession[] {a, b}) {
                clearUnitAttentions(s, LUN_RAM512);
                clearUnitAttentions(s, LUN_RAM4K);
            }
            assertThat(a.lunReset(LUN_RAM512)).isEqualTo(TaskMgmtResponse.COMPLETE);
            SenseData ua = sense(b.execute(LUN_RAM512, testUnitReady(), null, 0));
            assertThat(ua.senseKey()).isEqualTo(Scsi.UNIT_ATTENTION);
            assertThat(ua.asc()).isEqualTo(0x29);
            assertThat(ua.ascq()).isEqualTo(0x03);
            assertThat(b.execute(LUN_RAM512, testUnitReady(), null, 0).status()).as("reported once").isZero();
            assertThat(b.execute(LUN_RAM4K, testUnitReady(), null, 0).status()).as("other LU untouched").isZero();
            SenseData own = sense(a.execute(LUN_RAM512, testUnitReady(), null, 0));
            assertThat(own.asc()).as("the issuer's nexus too").isEqualTo(0x29);
            assertThat(own.ascq()).isEqualTo(0x03);
            assertThat(a.execute(LUN_RAM512, testUnitReady(), null, 0).status()).as("reported once").isZero();
        }
    }

    /** SAM-5 6.3.2: a target reset gives every I_T nexus one unit attention per LU (29/xx). */
    @Test
    void targetWarmResetGivesEveryNexusOneUnitAttentionPerLu() throws Exception {
        try (IscsiSession a = open("warm-a"); IscsiSession b = open("warm-b")) {
            for (IscsiSession s : new IscsiSession[] {a, b}) {
                clearUnitAttentions(s, LUN_RAM512);
                clearUnitAttentions(s, LUN_RAM4K);
            }
            assertThat(a.targetWarmReset()).isEqualTo(TaskMgmtResponse.COMPLETE);
            for (int lun : new int[] {LUN_RAM512, LUN_RAM4K}) {
                for (IscsiSession s : new IscsiSession[] {b, a}) {
                    CommandResult r = s.execute(lun, testUnitReady(), null, 0);
                    SenseData ua = sense(r);
                    assertThat(ua.senseKey()).isEqualTo(Scsi.UNIT_ATTENTION);
                    assertThat(ua.asc()).as("a reset ASC (29/xx)").isEqualTo(0x29);
                    assertThat(s.execute(lun, testUnitReady(), null, 0).status()).as("reported once").isZero();
                }
            }
            a.nop();
            b.nop();
        }
    }

    /** RFC 7143 6.3.5: a login with the ISID of a live session reinstates it; the old one is closed. */
    @Test
    void loginWithTheSameIsidReinstatesTheSession() throws Exception {
        String name = "iqn.2026-11.io.xtarget:e2e-reinstate";
        try (IscsiSession old = Scsi.open(server.url(LUN_RAM512), Scsi.options(name));
                IscsiSession sibling = Scsi.open(server.url(LUN_RAM512), Scsi.options(name))) {
            clearUnitAttentions(old, LUN_RAM512);
            clearUnitAttentions(sibling, LUN_RAM512);
            assertThat(sibling.isid()).isNotEqualTo(old.isid());
            try (RawSession raw = RawSession.login(server.address(), E2eServer.TARGET, name, old.isid())) {
                assertThat(raw.loggedIn()).as("%s", raw.login()).isTrue();
                assertThat(raw.login().tsih()).isNotEqualTo(old.tsih());
                // The old connection is gone: a command on it fails (at the latest when the
                // reader sees the close) instead of running.
                assertThatThrownBy(() -> old.execute(LUN_RAM512, testUnitReady(), null, 0))
                        .isInstanceOf(IOException.class);
                assertThat(old.isOpen()).isFalse();
                // A session of the same initiator with another ISID is a different I_T nexus.
                assertThat(sibling.execute(LUN_RAM512, testUnitReady(), null, 0).status()).isZero();
                // The new session works.
                raw.clearUnitAttentions();
            }
        }
    }
}
