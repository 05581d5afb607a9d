package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Two gateways of one RBD image as two {@code xtarget serve} processes ({@link ServeProcess}),
 * each with its own config, portal ({@code 127.0.0.1:0}), cluster connection and target port
 * group (gateway 1: group 1, relative port 1; gateway 2: group 2, relative port 2); the first
 * creates the image and so owns its lock (it polls before it listens).
 */
final class GatewayProcesses {
    static final String TARGET = "iqn.2026-11.io.xtarget:gw-fence";

    private GatewayProcesses() {}

    static Path config(Path dir, String cephConf, String image, int group, int peer) throws IOException {
        Path d = Files.createDirectories(dir.resolve("gw" + group));
        Path config = d.resolve("xtarget.json");
        Files.writeString(config, """
                {"backstores": [{"name": "vm", "type": "rbd", "pool": "rbd", "image": "%s", "size": "64M",
                    "cephConf": "%s", "naa": "6001405f0e1d2c3b4a5968778695a4b3", "serial": "fence-e2e-1"}],
                 "targets": [{"name": "%s", "portals": ["127.0.0.1:0"], "luns": [{"lun": 0, "backstore": "vm"}]}],
                 "gateway": {"group": %d, "firstRelativePort": %d, "peers": [{"group": %d, "relativePorts": [%d]}]}}
                """.formatted(image, cephConf, TARGET, group, group, peer, peer));
        return config;
    }

    /** Gateway 1 (creating the image) and gateway 2, started one after the other. */
    static ServeProcess[] start(Path dir, String cephConf, String image) throws Exception {
        ServeProcess one = ServeProcess.start(config(dir, cephConf, image, 1, 2), "--create=vm");
        try {
            return new ServeProcess[] {one, ServeProcess.start(config(dir, cephConf, image, 2, 1))};
        } catch (IOException | RuntimeException e) {
            one.close();
            throw e;
        }
    }

    static IscsiSession open(ServeProcess gateway, String initiator) throws IOException {
        IscsiSession s = Scsi.open(gateway.url(TARGET, 0), Scsi.options(initiator));
        Scsi.clearUnitAttentions(s, 0);
        return s;
    }

    /** The asymmetric access state of {@code group} in RTPG through {@code s} (0 optimized, 1 non-optimized). */
    static int state(IscsiSession s, int group) throws IOException {
        CommandResult r = Scsi.run(s, 0, Scsi.reportTargetPortGroups(256), null, 256);
        assertThat(r.status()).as("%s", r).isZero();
        List<Scsi.PortGroup> groups = Scsi.portGroups(r.dataBytes());
        return groups.stream().filter(g -> g.id() == group).findFirst().orElseThrow().asymmetricAccessState();
    }

    /** "key/asc/ascq" of a CHECK CONDITION, or "GOOD". */
    static String outcome(CommandResult r) {
        if (r.good()) {
            return "GOOD";
        }
        return r.senseData().map(d -> String.format("%x/%02x/%02x", d.senseKey(), d.asc(), d.ascq()))
                .orElse("status " + r.status());
    }
}
