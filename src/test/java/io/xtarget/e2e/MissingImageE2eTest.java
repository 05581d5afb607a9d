package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.ImageCreation;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.SenseData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image deleted between two runs is not replaced by an empty disk under the same identity: the
 * LU stays mapped, answers INQUIRY and REPORT LUNS, and every medium access gets NOT READY /
 * LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED (04h/03h); one ERROR line names the path;
 * the other LU of the target serves on. A backstore new in the config still gets its image,
 * {@code --create} recreates one, and a reload brings a restored image back.
 */
@Timeout(120)
class MissingImageE2eTest {
    static final String TARGET = "iqn.2026-11.io.xtarget:missing";
    static final String INITIATOR = "iqn.2026-11.io.xtarget:e2e-missing";
    static final int NOT_READY = 2;
    static final int LUN_DISK = 0;
    static final int LUN_OTHER = 1;

    @TempDir
    Path dir;

    E2eServer start() throws Exception {
        return E2eServer.builder(dir).file("disk", "vol/disk.img", 8 * MIB, 512).file("other", "other.img", 8 * MIB, 512)
                .target(TARGET, List.of(E2eServer.EPHEMERAL), List.of(rw(LUN_DISK, "disk"), rw(LUN_OTHER, "other")))
                .start();
    }

    /** Restarts the server (as {@code xtarget serve [--create]}) and returns what it logged meanwhile. */
    static String restartCapturingLog(E2eServer server, ImageCreation creation) throws Exception {
        PrintStream saved = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            server.restart(creation);
        } finally {
            System.setErr(saved);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        saved.print(text);
        return text;
    }

    static SenseData notReady(IscsiSession s, int lun, byte[] cdb, java.nio.ByteBuffer out, int in) throws Exception {
        CommandResult r = Scsi.run(s, lun, cdb, out, in);
        SenseData d = Scsi.sense(r);
        assertThat(d.senseKey()).as("%s", d).isEqualTo(NOT_READY);
        assertThat(d.asc()).as("%s", d).isEqualTo(0x04);
        assertThat(d.ascq()).as("%s", d).isEqualTo(0x03);
        return d;
    }

    @Test
    void aDeletedImageIsNotRecreatedAndItsLuIsNotReadyWhileTheOtherServes() throws Exception {
        Path image = dir.resolve("vol/disk.img");
        byte[] data = Scsi.random(64 << 10, 8);
        try (E2eServer server = start()) {
            String naa = server.naa("disk");
            try (IscsiSession s = Scsi.open(server.url(LUN_DISK), Scsi.options(INITIATOR))) {
                Scsi.write(s, LUN_DISK, 100, data, 512);
                s.logout();
            }
            server.stop();
            Files.delete(image);

            String log = restartCapturingLog(server, ImageCreation.NEW_ONLY);
            assertThat(image).doesNotExist();
            List<String> errors = log.lines().filter(l -> l.contains("ERROR")).toList();
            assertThat(errors).hasSize(1);
            assertThat(errors.getFirst()).contains(image.toString(), "disk", "NOT READY", "--create");

            try (IscsiSession s = Scsi.open(server.url(LUN_DISK), Scsi.options(INITIATOR))) {
                notReady(s, LUN_DISK, Scsi.testUnitReady(), null, 0);
                notReady(s, LUN_DISK, Scsi.readCapacity16(), null, 32);
                notReady(s, LUN_DISK, Scsi.read10(100, 8), null, 4096);
                notReady(s, LUN_DISK, Scsi.write10(100, 1), java.nio.ByteBuffer.wrap(new byte[512]), 0);
                // the same device, still in the inventory
                assertThat(PersistenceE2eTest.identity(s, LUN_DISK)[0]).isEqualTo(naa);
                assertThat(Scsi.lunList(Scsi.good(s, LUN_DISK, Scsi.reportLuns(256), null, 256)))
                        .containsExactly(LUN_DISK, LUN_OTHER);
                // the other LU of the target reads and writes
                byte[] other = Scsi.random(8192, 9);
                Scsi.write(s, LUN_OTHER, 7, other, 512);
                assertThat(Scsi.read(s, LUN_OTHER, 7, other.length, 512)).isEqualTo(other);
                s.logout();
            }
            assertThat(image).doesNotExist();

            // libiscsi, a second initiator: its login ends with TEST UNIT READY, which reports the
            // sense (it has no name for 04h/03h and prints the code); iscsi-ls -s says which LUN
            if (Tool.which("iscsi-inq") != null) {
                for (String tool : List.of("iscsi-inq", "iscsi-readcapacity16")) {
                    Tool.Result r = Tool.run(tool, server.url(LUN_DISK));
                    assertThat(r.exitCode()).as(r.output()).isNotZero();
                    assertThat(r.output()).contains("SENSE KEY:NOT READY(2)", "0x0403");
                }
                Tool.Result ls = Tool.run("iscsi-ls", "-s", server.portalUrl());
                assertThat(ls.output()).contains("TESTUNITREADY failed with SENSE KEY:NOT READY(2)", "0x0403", TARGET);
                Tool.Result other = Tool.run("iscsi-inq", server.url(LUN_OTHER));
                assertThat(other.exitCode()).as(other.output()).isZero();
                assertThat(other.output()).contains("Peripheral Device Type:DIRECT_ACCESS");
            }

            // --create: an empty disk under the old identity, because the administrator said so
            String created = restartCapturingLog(server, ImageCreation.recreating(List.of("disk")));
            assertThat(created.lines().filter(l -> l.contains("ERROR"))).isEmpty();
            assertThat(Files.size(image)).isEqualTo(8 * MIB);
            try (IscsiSession s = Scsi.open(server.url(LUN_DISK), Scsi.options(INITIATOR))) {
                assertThat(Scsi.read(s, LUN_DISK, 100, data.length, 512)).containsOnly(0);
                assertThat(PersistenceE2eTest.identity(s, LUN_DISK)[0]).isEqualTo(naa);
            }
        }
    }

    @Test
    void aBackstoreNewInTheConfigIsStillCreated() throws Exception {
        try (E2eServer server = start()) {
            server.stop();
            // added to the file by hand, without an identity: new, so its image is created
            ServerConfig c = ConfigStore.load(server.configFile());
            List<BackstoreConfig> bs = new ArrayList<>(c.backstores());
            bs.add(new BackstoreConfig("added", BackstoreType.FILE, "added.img", 4 * MIB, 512, null, null));
            List<LunConfig> luns = new ArrayList<>(c.targets().getFirst().luns());
            luns.add(rw(2, "added"));
            c = c.withBackstores(bs).withTargets(List.of(c.targets().getFirst().withLuns(luns)));
            Files.writeString(server.configFile(), io.xtarget.config.ConfigWriter.toJson(c));
            assertThat(io.xtarget.config.ConfigParser.parse(Files.readString(server.configFile())).backstore("added").naa())
                    .isNull();

            String log = restartCapturingLog(server, ImageCreation.NEW_ONLY);
            assertThat(log.lines().filter(l -> l.contains("ERROR"))).isEmpty();
            assertThat(Files.size(dir.resolve("added.img"))).isEqualTo(4 * MIB);
            try (IscsiSession s = Scsi.open(server.url(2), Scsi.options(INITIATOR))) {
                Scsi.clearUnitAttentions(s, 2);
            }
        }
    }

    @Test
    void aRestoredImageComesBackOnReload() throws Exception {
        Path image = dir.resolve("vol/disk.img");
        Path aside = dir.resolve("aside.img");
        byte[] data = Scsi.random(4096, 10);
        try (E2eServer server = start()) {
            try (IscsiSession s = Scsi.open(server.url(LUN_DISK), Scsi.options(INITIATOR))) {
                Scsi.write(s, LUN_DISK, 3, data, 512);
            }
            server.stop();
            Files.move(image, aside); // e.g. the file system holding it did not mount
            restartCapturingLog(server, ImageCreation.NEW_ONLY);
            try (IscsiSession s = Scsi.open(server.url(LUN_DISK), Scsi.options(INITIATOR))) {
                notReady(s, LUN_DISK, Scsi.testUnitReady(), null, 0);
                server.server().reload(ConfigStore.load(server.configFile())); // still missing: still not ready
                notReady(s, LUN_DISK, Scsi.testUnitReady(), null, 0);
                assertThat(image).doesNotExist();

                Files.move(aside, image);
                server.server().reload(ConfigStore.load(server.configFile()));
                CommandResult first = s.execute(LUN_DISK, Scsi.testUnitReady(), null, 0);
                SenseData ua = Scsi.sense(first);
                assertThat(ua.senseKey()).isEqualTo(Scsi.UNIT_ATTENTION);
                assertThat(List.of(ua.asc(), ua.ascq())).containsExactly(0x28, 0x00); // NOT READY TO READY CHANGE
                Scsi.clearUnitAttentions(s, LUN_DISK);
                assertThat(Scsi.read(s, LUN_DISK, 3, data.length, 512)).isEqualTo(data);
            }
        }
    }

    /** The same through {@code xtarget serve} itself: the config file's new backstores, and {@code --create=NAME}. */
    @Test
    void serveCreatesOnlyNewImagesUnlessToldTo() throws Exception {
        Path config = dir.resolve("xtarget.json");
        Files.writeString(config, """
                {"backstores": [{"name": "disk", "type": "file", "path": "disk.img", "size": "4M",
                                 "naa": "60a5854ddddddddddddddddddddddddd"},
                                {"name": "added", "type": "file", "path": "added.img", "size": "4M"}],
                 "targets": [{"name": "%s", "portals": ["127.0.0.1:0"],
                              "luns": [{"lun": 0, "backstore": "disk"}, {"lun": 1, "backstore": "added"}]}]}
                """.formatted(TARGET));
        try (ServeProcess p = ServeProcess.start(config)) {
            assertThat(dir.resolve("disk.img")).doesNotExist();
            assertThat(Files.size(dir.resolve("added.img"))).isEqualTo(4 * MIB);
            assertThat(p.log().lines().filter(l -> l.contains("ERROR")).toList()).singleElement().asString()
                    .contains(dir.resolve("disk.img").toString(), "NOT READY");
            try (IscsiSession s = Scsi.open(p.url(TARGET, LUN_DISK), Scsi.options(INITIATOR))) {
                notReady(s, LUN_DISK, Scsi.testUnitReady(), null, 0);
                Scsi.clearUnitAttentions(s, 1);
            }
        }
        try (ServeProcess p = ServeProcess.start(config, "--create=disk")) {
            assertThat(Files.size(dir.resolve("disk.img"))).isEqualTo(4 * MIB);
            assertThat(p.log()).doesNotContain("ERROR");
            try (IscsiSession s = Scsi.open(p.url(TARGET, LUN_DISK), Scsi.options(INITIATOR))) {
                Scsi.clearUnitAttentions(s, LUN_DISK);
            }
        }
        Files.delete(dir.resolve("added.img")); // now it has an identity: not new any more
        try (ServeProcess p = ServeProcess.start(config)) {
            assertThat(dir.resolve("added.img")).doesNotExist();
            assertThat(p.log()).contains("backstore added: file image " + dir.resolve("added.img") + " is missing");
        }
        try (ServeProcess p = ServeProcess.start(config, "--create")) { // every one
            assertThat(dir.resolve("added.img")).exists();
        }
    }
}
