package io.xtarget.scsi.sbc;

import io.xtarget.backend.SpaceUsage;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.ThinProvisioning;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * LOG SENSE (SPC-4 6.6) with the log pages of a thin-provisioned disk: Supported Log Pages
 * (00h), Supported Log Pages and Subpages (00h/FFh) and, for LUs whose store allocates from a
 * file system, Logical Block Provisioning (0Ch, SBC-3 6.4.x). The command lives with the SBC set
 * because the only page with content is SBC's; page 00h is derived per LU from what it has.
 *
 * <p>The Logical Block Provisioning page reports, in threshold sets of 2^THRESHOLD EXPONENT
 * logical blocks (VPD B2h): parameter 0001h, AVAILABLE LBA MAPPING RESOURCE COUNT, the space
 * left on the file system (SCOPE 10b: not dedicated to this LU, other files share it); and
 * 0002h, USED LBA MAPPING RESOURCE COUNT, the space the image occupies (SCOPE 01b: dedicated),
 * when the platform can tell. Counts are current values whatever the PAGE CONTROL field asks
 * (nothing is cumulative or settable); no parameter can be saved (DS=1; the core refuses SP=1,
 * which the row's CDB usage data leaves reserved), and LOG SELECT is not implemented.
 */
final class LogSense {
    static final int SUPPORTED_PAGES = 0x00;
    static final int LOGICAL_BLOCK_PROVISIONING = 0x0C;
    static final int ALL_SUBPAGES = 0xFF;
    static final int AVAILABLE_RESOURCES = 0x0001;
    static final int USED_RESOURCES = 0x0002;
    /** Parameter control byte: FORMAT AND LINKING 11b, a binary format list parameter (SPC-4 7.3.2.2.2). */
    private static final int BINARY_LIST = 0x03;
    private static final int SCOPE_DEDICATED = 0x01;
    private static final int SCOPE_NOT_DEDICATED = 0x02;

    private LogSense() {}

    static ScsiResult execute(ScsiTask task) throws ScsiException, IOException {
        Cdb cdb = task.cdb(); // SP is reserved in the row's usage data: the core refuses it
        int page = cdb.u8(2) & 0x3F;
        int subpage = cdb.u8(3);
        int pointer = cdb.u16(5);
        int alloc = cdb.u16(7);
        ThinProvisioning tp = task.lu().provisioning();
        byte[] body;
        if (page == SUPPORTED_PAGES && subpage == 0) {
            body = page(SUPPORTED_PAGES, 0, false, supportedPages(tp, false));
        } else if (page == SUPPORTED_PAGES && subpage == ALL_SUBPAGES) {
            body = page(SUPPORTED_PAGES, ALL_SUBPAGES, false, supportedPages(tp, true));
        } else if (page == LOGICAL_BLOCK_PROVISIONING && tp.thresholdsSupported()) {
            if (subpage != 0) {
                throw new ScsiException(Sense.invalidFieldInCdb(3, -1));
            }
            body = page(LOGICAL_BLOCK_PROVISIONING, 0, true, provisioningParameters(task.lu(), pointer));
        } else {
            throw new ScsiException(Sense.invalidFieldInCdb(2, 5));
        }
        return ScsiResult.good(body, alloc);
    }

    /** Page codes (and with subpages, code and subpage pairs) this LU reports. */
    private static byte[] supportedPages(ThinProvisioning tp, boolean withSubpages) {
        List<int[]> pages = new ArrayList<>();
        pages.add(new int[] {SUPPORTED_PAGES, 0});
        if (withSubpages) {
            pages.add(new int[] {SUPPORTED_PAGES, ALL_SUBPAGES});
        }
        if (tp.thresholdsSupported()) {
            pages.add(new int[] {LOGICAL_BLOCK_PROVISIONING, 0});
        }
        ByteBuffer b = ByteBuffer.allocate(pages.size() * (withSubpages ? 2 : 1));
        for (int[] p : pages) {
            b.put((byte) p[0]);
            if (withSubpages) {
                b.put((byte) p[1]);
            }
        }
        return b.array();
    }

    /**
     * The resource count parameters (SBC-3 6.4.x table "Resource count log parameter format")
     * with a code at or above the PARAMETER POINTER; a pointer above the last code is invalid.
     */
    private static byte[] provisioningParameters(LogicalUnit lu, int pointer) throws ScsiException, IOException {
        if (pointer > USED_RESOURCES) {
            throw new ScsiException(Sense.invalidFieldInCdb(5, -1));
        }
        ThinProvisioning tp = lu.provisioning();
        SpaceUsage u = tp.usage();
        ByteBuffer b = ByteBuffer.allocate(24);
        if (u != null && pointer <= AVAILABLE_RESOURCES) {
            resourceCount(b, AVAILABLE_RESOURCES, tp.thresholdSets(u.availableBytes()), SCOPE_NOT_DEDICATED);
        }
        if (u != null && u.allocatedBytes() >= 0) {
            resourceCount(b, USED_RESOURCES, tp.thresholdSets(u.allocatedBytes()), SCOPE_DEDICATED);
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static void resourceCount(ByteBuffer b, int code, long sets, int scope) {
        b.putShort((short) code).put((byte) BINARY_LIST).put((byte) 8);
        b.putInt((int) sets).put((byte) scope).put((byte) 0).putShort((short) 0);
    }

    /** A log page: DS, SPF, page code, subpage code, page length (SPC-4 7.3.2.1), then the body. */
    private static byte[] page(int code, int subpage, boolean disableSave, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + body.length);
        b.put((byte) ((disableSave ? 0x80 : 0) | (subpage != 0 ? 0x40 : 0) | code));
        b.put((byte) subpage);
        b.putShort((short) body.length);
        b.put(body);
        return b.array();
    }
}
