package io.xtarget.scsi.copy.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.config.ChapConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.e2e.E2eServer;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.IscsiUrl;
import io.xtarget.initiator.SenseData;
import io.xtarget.scsi.CopyAccessPolicy;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copy reachability under CHAP through real logins: with copy policy {@code initiator} an
 * EXTENDED COPY may name an LU of another target whose ACL admits the initiator name, but an
 * initiator name is only a claim: a target guarded by CHAP is reachable only from a session that
 * proved the same secrets (its receiving target demands them of this initiator).
 */
@Timeout(120)
class CopyChapReachE2eTest {
    static final String OPEN = "iqn.2026-11.io.xtarget:reach-open";
    static final String GUARDED = "iqn.2026-11.io.xtarget:reach-guarded";
    static final String SAME = "iqn.2026-11.io.xtarget:reach-same";
    static final String OTHER = "iqn.2026-11.io.xtarget:reach-other";
    static final String HOST = "iqn.2026-11.io.example:reach-host";
    static final ChapConfig ALICE = new ChapConfig("alice", "alicesecret1");
    static final ChapConfig BOB = new ChapConfig("bob", "bobsecret1234");

    @TempDir
    static Path dir;
    static E2eServer server;

    @BeforeAll
    static void start() throws Exception {
        List<String> portal = List.of(E2eServer.EPHEMERAL);
        server = E2eServer.builder(dir).ram("src", 4 * MIB, 512).ram("dst", 4 * MIB, 512)
                .target(new TargetConfig(OPEN, portal, CopyAccessPolicy.INITIATOR, List.of(rw(0, "src")), List.of(),
                        null))
                .target(new TargetConfig(GUARDED, portal, CopyAccessPolicy.INITIATOR, List.of(rw(0, "dst")),
                        List.of(), ALICE))
                .target(new TargetConfig(SAME, portal, CopyAccessPolicy.INITIATOR, List.of(rw(0, "src")), List.of(),
                        ALICE))
                .target(new TargetConfig(OTHER, portal, CopyAccessPolicy.INITIATOR, List.of(rw(0, "src")), List.of(),
                        BOB))
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Host login(String target, ChapConfig chap) throws Exception {
        InitiatorOptions o = InitiatorOptions.defaults().withInitiatorName(HOST);
        if (chap != null) {
            o = o.withChap(chap.user(), chap.secret());
        }
        return new Host(IscsiSession.open(IscsiUrl.parse(server.url(target, 0)), o));
    }

    static byte[] naaDescriptor(String backstore) {
        byte[] naa = HexFormat.of().parseHex(server.naa(backstore));
        byte[] d = new byte[4 + naa.length];
        d[0] = 0x01;
        d[1] = 0x03;
        d[3] = (byte) naa.length;
        System.arraycopy(naa, 0, d, 4, naa.length);
        return d;
    }

    static byte[] srcToDst(int blocks, long dstLba) {
        return new XcopyList().cscd(naaDescriptor("src"), 512).cscd(naaDescriptor("dst"), 512)
                .segment(0, 1, blocks, 0, dstLba).build();
    }

    static void assertNotReachable(CommandResult r) {
        SenseData s = Host.sense(r);
        assertThat(s.senseKey()).as("COPY ABORTED").isEqualTo(0x0A);
        assertThat(s.asc()).isEqualTo(0x0D);
        assertThat(s.ascq()).as("COPY TARGET DEVICE NOT REACHABLE").isEqualTo(0x02);
    }

    @Test
    void aGuardedTargetIsUnreachableFromASessionWithoutChap() throws Exception {
        try (Host open = login(OPEN, null)) {
            assertNotReachable(open.xcopy(0, srcToDst(8, 0)));
        }
    }

    @Test
    void aGuardedTargetIsUnreachableFromASessionThatProvedOtherSecrets() throws Exception {
        try (Host other = login(OTHER, BOB)) {
            assertNotReachable(other.xcopy(0, srcToDst(8, 0)));
        }
    }

    @Test
    void aGuardedTargetIsReachableWithTheSameProvenSecrets() throws Exception {
        byte[] data = new byte[16 * 512];
        new Random(7).nextBytes(data);
        try (Host same = login(SAME, ALICE); Host guarded = login(GUARDED, ALICE)) {
            same.write(0, 0, data, 512);
            CommandResult r = same.xcopy(0, srcToDst(16, 100));
            assertThat(r.status()).as(r.toString()).isZero();
            assertThat(guarded.read(0, 100, 16, 512)).isEqualTo(data);
        }
    }
}
