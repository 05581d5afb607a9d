package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.config.AclConfig;
import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.ConfigException;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.server.XtargetServer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config reload while sessions run: a new LUN appears with REPORTED LUNS DATA HAS CHANGED
 * (3F/0E), an initiator removed from an ACL loses its session, and what needs a restart is refused.
 */
class ReloadE2eTest {
    private static final String OPEN = "iqn.2026-11.io.xtarget.test:reload-open";
    private static final String GUARDED = "iqn.2026-11.io.xtarget.test:reload-acl";
    private static final String HOST = "iqn.2026-11.io.xtarget.test:reload-host";

    @TempDir
    Path dir;

    private static BackstoreConfig ram(String name, String naaTail) {
        return new BackstoreConfig(name, BackstoreType.RAM, null, 8L << 20, 512,
                "60a5854000000000000000000000" + naaTail, "sn-" + name);
    }

    private static ServerConfig config(List<BackstoreConfig> backstores, List<LunConfig> openLuns, List<AclConfig> acls,
            String portal) {
        return new ServerConfig(backstores, List.of(
                new TargetConfig(OPEN, List.of(portal), CopyAccessPolicy.INITIATOR, openLuns, List.of()),
                new TargetConfig(GUARDED, List.of(portal), CopyAccessPolicy.INITIATOR,
                        List.of(new LunConfig(0, "ram0", false)), acls)));
    }

    private static int lunCount(IscsiSession s) throws Exception {
        byte[] d = Scsi.good(s, 0, Scsi.reportLuns(256), null, 256);
        return ByteBuffer.wrap(d).getInt(0) / 8;
    }

    @Test
    void lunMapsAclsAndBackstoresChangeWhileServing() throws Exception {
        String portal = E2eServer.freePortal();
        List<AclConfig> acl = List.of(new AclConfig(HOST, null));
        ServerConfig first = config(List.of(ram("ram0", "0001")), List.of(new LunConfig(0, "ram0", false)), acl, portal);
        try (XtargetServer server = XtargetServer.start(first, dir, IscsiServer.Options.defaults());
                IscsiSession open = Scsi.open("iscsi://" + portal + "/" + OPEN + "/0", Scsi.options(HOST));
                IscsiSession guarded = Scsi.open("iscsi://" + portal + "/" + GUARDED + "/0", Scsi.options(HOST))) {
            Scsi.clearUnitAttentions(open, 0);
            Scsi.clearUnitAttentions(guarded, 0);
            assertThat(lunCount(open)).isEqualTo(1);

            // a new backstore mapped as LUN 1, and HOST dropped from the guarded target's ACL
            server.reload(config(List.of(ram("ram0", "0001"), ram("ram1", "0002")),
                    List.of(new LunConfig(0, "ram0", false), new LunConfig(1, "ram1", false)),
                    List.of(new AclConfig("iqn.2026-11.io.xtarget.test:someone-else", null)), portal));

            CommandResult r = open.execute(0, Scsi.testUnitReady(), null, 0);
            assertThat(Scsi.sense(r).senseKey()).isEqualTo(6);
            assertThat(Scsi.sense(r).asc()).isEqualTo(0x3F);
            assertThat(Scsi.sense(r).ascq()).isEqualTo(0x0E);
            assertThat(lunCount(open)).isEqualTo(2);
            assertThat(Scsi.capacity(open, 1)[0]).isEqualTo((8L << 20) / 512);
            assertThat(server.units()).extracting(io.xtarget.scsi.LogicalUnit::name).contains("ram1");
            assertThatThrownBy(() -> guarded.execute(0, Scsi.testUnitReady(), null, 0))
                    .isInstanceOf(java.io.IOException.class);

            // what needs a restart is refused, and the running configuration stays
            ServerConfig moved = config(List.of(ram("ram0", "0001"), ram("ram1", "0002")),
                    List.of(new LunConfig(0, "ram0", false)), acl, E2eServer.freePortal());
            assertThatThrownBy(() -> server.reload(moved)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("restart");
            assertThat(lunCount(open)).isEqualTo(2);
        }
    }
}
