package io.xtarget.e2e;

import static io.xtarget.scsi.copy.TokenLists.range;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.SenseData;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.copy.TokenLists;
import io.xtarget.server.XtargetServer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ROD token ends with its source LU: after a reload that drops the source's backstore, WRITE
 * USING TOKEN gets TOKEN REVOKED (23h/06h) and writes nothing, while a token of an LU that stayed
 * still works.
 */
class TokenRevocationE2eTest {
    private static final String TARGET = "iqn.2026-11.io.xtarget.test:tokens";
    private static final String HOST = "iqn.2026-11.io.xtarget.test:token-host";

    @TempDir
    Path dir;

    private static BackstoreConfig ram(String name, String naaTail) {
        return new BackstoreConfig(name, BackstoreType.RAM, null, 8L << 20, 512,
                "60a5854000000000000000000000" + naaTail, "sn-" + name);
    }

    private static ServerConfig config(String portal, List<BackstoreConfig> backstores, List<LunConfig> luns) {
        return new ServerConfig(backstores,
                List.of(new TargetConfig(TARGET, List.of(portal), CopyAccessPolicy.INITIATOR, luns, List.of())));
    }

    private static byte[] populate(IscsiSession s, int lun, long listId) throws Exception {
        byte[] list = TokenLists.populateList(range(0, 64));
        Scsi.good(s, lun, TokenLists.populate(listId, list.length).bytes(), ByteBuffer.wrap(list), 0);
        return TokenLists.tokenOf(Scsi.good(s, lun, TokenLists.rrti(listId).bytes(), null, 4096));
    }

    private static CommandResult write(IscsiSession s, int lun, long listId, byte[] token) throws Exception {
        byte[] list = TokenLists.writeList(token, range(100, 64));
        return Scsi.run(s, lun, TokenLists.writeUsingToken(listId, list.length).bytes(), ByteBuffer.wrap(list), 0);
    }

    @Test
    void droppingTheSourceBackstoreRevokesItsTokens() throws Exception {
        String portal = E2eServer.freePortal();
        List<BackstoreConfig> all = List.of(ram("src", "0a01"), ram("dst", "0a02"), ram("keep", "0a03"));
        ServerConfig first = config(portal, all, List.of(new LunConfig(0, "src", false),
                new LunConfig(1, "dst", false), new LunConfig(2, "keep", false)));
        try (XtargetServer server = XtargetServer.start(first, dir, IscsiServer.Options.defaults());
                IscsiSession s = Scsi.open("iscsi://" + portal + "/" + TARGET + "/0", Scsi.options(HOST))) {
            Scsi.clearUnitAttentions(s, 0);
            Scsi.write(s, 0, 0, Scsi.random(64 * 512, 1), 512);
            byte[] fromSrc = populate(s, 0, 1);
            byte[] fromKeep = populate(s, 2, 2);

            server.reload(config(portal, List.of(all.get(1), all.get(2)),
                    List.of(new LunConfig(1, "dst", false), new LunConfig(2, "keep", false))));
            Scsi.clearUnitAttentions(s, 1);
            byte[] before = Scsi.read(s, 1, 100, 64 * 512, 512);
            SenseData revoked = Scsi.sense(write(s, 1, 3, fromSrc));
            assertThat(new int[] {revoked.senseKey(), revoked.asc(), revoked.ascq()}).containsExactly(5, 0x23, 0x06);
            assertThat(Scsi.read(s, 1, 100, 64 * 512, 512)).isEqualTo(before);
            assertThat(write(s, 1, 4, fromKeep).status()).isZero();
        }
    }
}
