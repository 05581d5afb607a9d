package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.LUN_FILE;
import static io.xtarget.e2e.E2eServer.LUN_RAM4K;
import static io.xtarget.e2e.E2eServer.LUN_RAM512;
import static io.xtarget.e2e.E2eServer.TARGET;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * libiscsi's command-line tools (a second, independent initiator implementation) against a real
 * xtarget: login, INQUIRY, VPD pages, SendTargets discovery, REPORT LUNS and READ CAPACITY (16).
 * Skipped when the tools are not installed.
 */
@Timeout(120)
class LibiscsiToolsE2eTest extends StandardServerE2e {

    @Test
    void inquiryReportsVendorProductAndThirdPartyCopy() throws Exception {
        Tool.assumeInstalled("iscsi-inq");
        Tool.Result r = Tool.run("iscsi-inq", server.url(LUN_RAM512));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Peripheral Device Type:DIRECT_ACCESS")
                .containsPattern("(?m)^Vendor:XTARGET\\s*$")
                .containsPattern("(?m)^Product:xtarget-disk\\s*$")
                .containsPattern("(?m)^3PC:1$")
                .containsPattern("(?m)^TPGS:1$")
                .containsPattern("(?m)^CmdQue:1$");
    }

    @Test
    void supportedVpdPagesListTheCopyAndBlockPages() throws Exception {
        Tool.assumeInstalled("iscsi-inq");
        // iscsi-inq's --pagecode is a popt integer: decimal only ("0x83" silently reads as 0).
        Tool.Result r = Tool.run("iscsi-inq", "-e", "1", "-c", "0", server.url(LUN_RAM512));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Page:0x00", "Page:0x80", "Page:0x83", "Page:0x86", "Page:0x8f",
                "Page:0xb0", "Page:0xb1", "Page:0xb2");
    }

    @Test
    void deviceIdentificationVpdPage() throws Exception {
        Tool.assumeInstalled("iscsi-inq");
        Tool.Result r = Tool.run("iscsi-inq", "-e", "1", "-c", Integer.toString(0x83), server.url(LUN_FILE));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Page Code:(0x83) DEVICE_IDENTIFICATION")
                .containsPattern("Association:\\(0\\) LOGICAL_UNIT\\s+Designator Type:\\(3\\) NAA")
                .contains("Designator:[XTARGET " + server.naa("file0").substring(24) + server.naa("file0") + "]")
                .containsPattern("Association:\\(1\\) TARGET_PORT\\s+Designator Type:\\(4\\) RELATIVE_TARGET_PORT")
                .containsPattern("Designator Type:\\(5\\) TARGET_PORT_GROUP")
                .containsPattern("Designator Type:\\(8\\) SCSI_NAME")
                .contains(TARGET);
    }

    @Test
    void unitSerialNumberVpdPageIsThePersistedSerial() throws Exception {
        Tool.assumeInstalled("iscsi-inq");
        Tool.Result r = Tool.run("iscsi-inq", "-e", "1", "-c", Integer.toString(0x80), server.url(LUN_RAM4K));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Unit Serial Number:[" + server.serial("ram4k") + "]");
    }

    @Test
    void discoveryShowsTheTargetAndItsLunSizes() throws Exception {
        Tool.assumeInstalled("iscsi-ls");
        Tool.Result r = Tool.run("iscsi-ls", "-s", server.portalUrl());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Target:" + TARGET + " Portal:127.0.0.1:" + server.port() + ",1")
                .containsPattern("Lun:0\\s+Type:DIRECT_ACCESS \\(Size:6[34]M\\)")
                .containsPattern("Lun:1\\s+Type:DIRECT_ACCESS \\(Size:6[34]M\\)")
                .containsPattern("Lun:2\\s+Type:DIRECT_ACCESS \\(Size:6[34]M\\)");
    }

    @Test
    void readCapacity16OfBothBlockSizes() throws Exception {
        Tool.assumeInstalled("iscsi-readcapacity16");
        Tool.Result r = Tool.run("iscsi-readcapacity16", server.url(LUN_RAM512));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("RETURNED LOGICAL BLOCK ADDRESS:" + (64 * 2048 - 1))
                .contains("LOGICAL BLOCK LENGTH IN BYTES:512")
                .contains("Total size:" + 64 * E2eServer.MIB);
        Tool.Result r4 = Tool.run("iscsi-readcapacity16", "-s", server.url(LUN_RAM4K));
        assertThat(r4.exitCode()).as(r4.output()).isZero();
        assertThat(r4.output().trim()).isEqualTo(Long.toString(64 * E2eServer.MIB));
        Tool.Result r4full = Tool.run("iscsi-readcapacity16", server.url(LUN_RAM4K));
        assertThat(r4full.output()).contains("RETURNED LOGICAL BLOCK ADDRESS:" + (64 * 256 - 1))
                .contains("LOGICAL BLOCK LENGTH IN BYTES:4096");
    }
}
