package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.IscsiSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart with the same config: data on a file backstore survives, and every LU keeps its
 * identity (NAA designator in VPD 0x83, serial in VPD 0x80), generated once and persisted in the
 * config file so hosts recognise the same disks.
 */
@Timeout(120)
class PersistenceE2eTest {
    static final String TARGET = "iqn.2026-11.io.xtarget:persist";

    @Test
    void fileDataAndDeviceIdentitySurviveARestart(@TempDir Path dir) throws Exception {
        byte[] data = Scsi.random(2 << 20, 42);
        try (E2eServer server = E2eServer.builder(dir).file("disk", "vol/disk.img", 32 * MIB, 4096)
                .ram("scratch", 8 * MIB, 512)
                .target(TARGET, List.of(E2eServer.EPHEMERAL), List.of(rw(0, "disk"), rw(1, "scratch"))).start()) {
            String naaDisk = server.naa("disk");
            String naaScratch = server.naa("scratch");
            assertThat(naaDisk).isNotEqualTo(naaScratch);
            assertThat(Files.readString(server.configFile())).contains(naaDisk, naaScratch);

            try (IscsiSession s = Scsi.open(server.url(0), Scsi.options("iqn.2026-11.io.xtarget:e2e-persist"))) {
                Scsi.write(s, 0, 1000, data, 4096);
                Scsi.write(s, 1, 0, Scsi.random(4096, 1), 512);
                assertThat(identity(s, 0)).containsExactly(naaDisk, server.serial("disk"));
                assertThat(identity(s, 1)).containsExactly(naaScratch, server.serial("scratch"));
                s.logout();
            }

            server.restart();

            assertThat(Files.size(dir.resolve("vol/disk.img"))).isEqualTo(32 * MIB);
            assertThat(server.naa("disk")).isEqualTo(naaDisk);
            try (IscsiSession s = Scsi.open(server.url(0), Scsi.options("iqn.2026-11.io.xtarget:e2e-persist"))) {
                assertThat(Scsi.capacity(s, 0)).containsExactly(32 * MIB / 4096, 4096);
                assertThat(Scsi.read(s, 0, 1000, data.length, 4096)).isEqualTo(data);
                assertThat(identity(s, 0)).containsExactly(naaDisk, server.serial("disk"));
                // A RAM disk keeps its identity but, being RAM, not its data.
                assertThat(identity(s, 1)).containsExactly(naaScratch, server.serial("scratch"));
                assertThat(Scsi.read(s, 1, 0, 4096, 512)).containsOnly(0);
            }
        }
    }

    /** {NAA from VPD 0x83, serial from VPD 0x80}. */
    static String[] identity(IscsiSession s, int lun) throws Exception {
        String naa = Scsi.naaHex(Scsi.designators(Scsi.good(s, lun, Scsi.vpd(0x83, 1024), null, 1024)));
        byte[] p80 = Scsi.good(s, lun, Scsi.vpd(0x80, 255), null, 255);
        String serial = new String(p80, 4, p80[3] & 0xFF, java.nio.charset.StandardCharsets.US_ASCII).trim();
        return new String[] {naa, serial};
    }
}
