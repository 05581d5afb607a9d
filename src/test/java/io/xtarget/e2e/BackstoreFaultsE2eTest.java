package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.FaultInjectingStore;
import io.xtarget.cli.Main;
import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.ConfigStore;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.SenseData;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.testing.SmallFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backstore faults over iSCSI: a thin file LU larger than its (real, 16 MiB tmpfs) file system
 * runs out of space with DATA PROTECT 27h/07h, raises the soft threshold unit attention once per
 * nexus and reports it in LOG SENSE page 0Ch; a failed flush fails the LU until
 * {@code xtarget backstore enable} and a reload.
 */
@Timeout(120)
class BackstoreFaultsE2eTest {
    static final String TARGET = "iqn.2026-11.io.xtarget:faults";
    static final byte[] SYNC_CACHE = {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    @TempDir
    Path dir;

    static byte[] logSense(int page, int alloc) {
        return new byte[] {0x4D, 0, (byte) (0x40 | page), 0, 0, 0, 0, (byte) (alloc >>> 8), (byte) alloc, 0};
    }

    static byte[] unmap(long lba, int blocks) {
        return ByteBuffer.allocate(24).putShort(0, (short) 22).putShort(2, (short) 16).putLong(8, lba)
                .putInt(16, blocks).array();
    }

    static final byte[] UNMAP_CDB = {0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0};

    static boolean is(CommandResult r, int key, int asc, int ascq) {
        if (r.status() != CommandResult.CHECK_CONDITION) {
            return false;
        }
        SenseData d = r.senseData().orElseThrow();
        return d.senseKey() == key && d.asc() == asc && d.ascq() == ascq;
    }

    static boolean softThreshold(CommandResult r) {
        return is(r, 6, 0x38, 0x07);
    }

    /** Writes 1 MiB chunks from {@code lba} until DATA PROTECT; returns the soft threshold UAs seen on the way. */
    static int fillUntilFull(IscsiSession s, long lba) throws IOException {
        byte[] chunk = Scsi.random((int) MIB, lba);
        int attentions = 0;
        for (int i = 0; i < 64; i++) {
            CommandResult r = s.execute(0, Scsi.write10(lba, (int) (MIB / 512)), ByteBuffer.wrap(chunk), 0);
            if (softThreshold(r)) {
                attentions++;
                continue; // the write did not run: it reported the condition instead
            }
            if (is(r, 7, 0x27, 0x07)) {
                return attentions;
            }
            assertThat(r.status()).as("%s", r).isZero();
            lba += MIB / 512;
        }
        throw new AssertionError("a 64 MiB thin image filled a 16 MiB file system without running out of space");
    }

    @Test
    void thinFileLuOnAFullFileSystem() throws Exception {
        try (SmallFileSystem fs = SmallFileSystem.mountOrSkip(dir.resolve("small"), 16 * MIB);
                E2eServer server = E2eServer.builder(dir)
                        .backstore(new BackstoreConfig("thin", BackstoreType.FILE, "small/thin.img", 64 * MIB, 512, null,
                                null, false, null, 50, 0))
                        .target(TARGET, List.of(E2eServer.EPHEMERAL), List.of(rw(0, "thin"))).start();
                IscsiSession a = Scsi.open(server.url(0), Scsi.options("iqn.2026-11.io.xtarget:e2e-full-a"));
                IscsiSession b = Scsi.open(server.url(0), Scsi.options("iqn.2026-11.io.xtarget:e2e-full-b"))) {
            Scsi.clearUnitAttentions(a, 0);
            Scsi.clearUnitAttentions(b, 0);
            LogicalUnit lu = server.server().units().getFirst();
            assertThat(Scsi.good(a, 0, Scsi.vpd(0xB2, 8), null, 8)[4]).as("THRESHOLD EXPONENT").isEqualTo((byte) 1);

            // Writes past the free space: DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT, and
            // the soft threshold (50 %) reported once on the way, when the writes crossed it.
            assertThat(fillUntilFull(a, 0)).as("soft threshold unit attentions on nexus A").isEqualTo(1);
            assertThat(a.execute(0, Scsi.testUnitReady(), null, 0).status()).isZero();
            CommandResult onB = b.execute(0, Scsi.testUnitReady(), null, 0);
            assertThat(softThreshold(onB)).as("%s", onB).isTrue();
            assertThat(b.execute(0, Scsi.testUnitReady(), null, 0).status()).isZero();
            CommandResult again = a.execute(0, Scsi.write10(40960, 8), ByteBuffer.wrap(new byte[4096]), 0);
            assertThat(is(again, 7, 0x27, 0x07)).as("%s", again).isTrue();
            assertThat(lu.provisioning().spaceAllocationFailures()).isGreaterThanOrEqualTo(2);
            Scsi.good(a, 0, SYNC_CACHE, null, 0); // a full file system is not a failed disk
            assertThat(Scsi.read(a, 0, 0, 4096, 512)).isEqualTo(java.util.Arrays.copyOf(Scsi.random((int) MIB, 0), 4096));

            // LOG SENSE page 0Ch: little available (shared), about 16 MiB used (dedicated), in sets of 2 blocks
            ByteBuffer page = ByteBuffer.wrap(Scsi.good(a, 0, logSense(0x0C, 64), null, 64));
            assertThat(page.get(0) & 0x3F).isEqualTo(0x0C);
            assertThat(page.getShort(2)).isEqualTo((short) 24);
            assertThat(page.getShort(4)).isEqualTo((short) 1);
            assertThat(page.getInt(8) * 1024L).as("available").isLessThan(MIB);
            assertThat(page.get(12)).isEqualTo((byte) 0x02);
            assertThat(page.getShort(16)).isEqualTo((short) 2);
            assertThat(page.getInt(20) * 1024L).as("used").isGreaterThan(14 * MIB);
            assertThat(page.get(24)).isEqualTo((byte) 0x01);

            // UNMAP gives space back: writes succeed and the threshold is re-armed, so filling
            // up again reports it once more.
            Scsi.good(a, 0, UNMAP_CDB, ByteBuffer.wrap(unmap(0, (int) (12 * MIB / 512))), 0);
            assertThat(lu.provisioning().thresholdState()).isEqualTo(io.xtarget.scsi.ThinProvisioning.ThresholdState.ARMED);
            Scsi.write(a, 0, 0, new byte[4096], 512);
            assertThat(fillUntilFull(a, 0)).isEqualTo(1);
            assertThat(a.execute(0, Scsi.testUnitReady(), null, 0).status()).isZero();
        }
    }

    @Test
    void failedFlushFailsTheLuUntilEnabledAndReloaded() throws Exception {
        FaultInjectingStore[] faulty = new FaultInjectingStore[1];
        try (E2eServer server = E2eServer.builder(dir).file("disk", "disk.img", 8 * MIB, 512)
                .target(TARGET, List.of(E2eServer.EPHEMERAL), List.of(rw(0, "disk")))
                .wrap((name, store) -> faulty[0] = new FaultInjectingStore(store)).start();
                IscsiSession s = Scsi.open(server.url(0), Scsi.options("iqn.2026-11.io.xtarget:e2e-flush"))) {
            Scsi.clearUnitAttentions(s, 0);
            byte[] data = Scsi.random(8192, 5);
            Scsi.write(s, 0, 0, data, 512);
            faulty[0].failFlushes(1);
            assertThat(is(s.execute(0, SYNC_CACHE, null, 0), 3, 0x0C, 0x00)).as("WRITE ERROR").isTrue();
            // The store would flush now; the LU must not pretend the lost data is durable.
            assertThat(is(s.execute(0, SYNC_CACHE, null, 0), 4, 0x44, 0x00)).isTrue();
            assertThat(is(s.execute(0, Scsi.write10(0, 1), ByteBuffer.wrap(new byte[512]), 0), 4, 0x44, 0x00)).isTrue();
            assertThat(Scsi.read(s, 0, 0, 8192, 512)).isEqualTo(data);

            server.server().reload(ConfigStore.load(server.configFile())); // an unrelated reload
            assertThat(is(s.execute(0, SYNC_CACHE, null, 0), 4, 0x44, 0x00)).isTrue();

            assertThat(Main.commandLine().execute("backstore", "enable", "disk", "--config",
                    server.configFile().toString())).isZero();
            server.server().reload(ConfigStore.load(server.configFile())); // what SIGHUP does
            Scsi.good(s, 0, SYNC_CACHE, null, 0);
            Scsi.write(s, 0, 0, data, 512);
            Scsi.good(s, 0, SYNC_CACHE, null, 0);
            assertThat(server.server().units().getFirst().health().flushFailures()).isEqualTo(1);
        }
    }
}
