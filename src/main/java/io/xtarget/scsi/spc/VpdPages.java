package io.xtarget.scsi.spc;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.TargetPort;
import java.nio.charset.StandardCharsets;
import java.util.SortedSet;

/** The VPD pages the SPC command set owns (SPC-4 7.8): 00h, 80h, 83h, 86h. */
final class VpdPages {
    private VpdPages() {}

    private static DataBuilder header(int code) {
        return new DataBuilder().u8(0x00).u8(code).u16(0); // direct access block device
    }

    private static byte[] finish(DataBuilder b) {
        b.setU16(2, b.length() - 4);
        return b.toArray();
    }

    /** Supported VPD pages (7.8.16): every page registered in the opcode table, ascending. */
    static byte[] supportedPages(ScsiTask task) {
        DataBuilder b = header(0x00);
        SortedSet<Integer> codes = task.core().opcodes().vpdCodes();
        for (int code : codes) {
            b.u8(code);
        }
        return finish(b);
    }

    /** Unit serial number (7.8.18). */
    static byte[] unitSerial(ScsiTask task) {
        DataBuilder b = header(0x80);
        b.bytes(task.lu().serial().getBytes(StandardCharsets.US_ASCII));
        return finish(b);
    }

    /** Device identification (7.8.6). */
    static byte[] deviceIdentification(ScsiTask task) {
        LogicalUnit lu = task.lu();
        DataBuilder b = header(0x83);
        // The logical unit's own designators (association 0): NAA 6 and T10 vendor ID based.
        for (io.xtarget.scsi.Designator d : lu.designators()) {
            byte[] v = d.value();
            b.u8(d.codeSet()).u8(d.type()).u8(0).u8(v.length).bytes(v);
        }
        Nexus nexus = task.nexus();
        TargetPort port = nexus == null ? null : nexus.port();
        if (port != null) {
            int piv = port.protocol().identifier() << 4; // the fabric's protocol (SPC-4 7.6.1)
            // Relative target port identifier, association target port, PIV.
            b.u8(piv | 0x01).u8(0x80 | 0x10 | 0x04).u8(0).u8(4).u16(0).u16(port.relativePortId());
            // Target port group.
            b.u8(piv | 0x01).u8(0x80 | 0x10 | 0x05).u8(0).u8(4).u16(0).u16(port.portGroupId());
            // SCSI name string of the target port and of the target device (UTF-8).
            nameString(b, piv | 0x03, 0x80 | 0x10 | 0x08, port.scsiPortName());
            nameString(b, piv | 0x03, 0x80 | 0x20 | 0x08, port.targetName());
        }
        return finish(b);
    }

    /** A SCSI name string designator: null terminated, padded with nulls to a multiple of 4 (7.8.6.11). */
    private static void nameString(DataBuilder b, int byte0, int byte1, String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        int len = Math.min(252, (utf8.length + 4) & ~3);
        b.u8(byte0).u8(byte1).u8(0).u8(len);
        int copy = Math.min(utf8.length, len - 1);
        b.bytes(java.util.Arrays.copyOf(utf8, copy)).zeros(len - copy);
    }

    /** Extended INQUIRY data (7.8.7). */
    static byte[] extendedInquiry(ScsiTask task) {
        DataBuilder b = header(0x86);
        b.u8(0x00); // no protection information
        b.u8(0x07); // HEADSUP, ORDSUP, SIMPSUP: all task attributes accepted
        b.u8(0x01); // V_SUP: the write cache is volatile, SYNCHRONIZE CACHE flushes it
        b.zeros(60 - 3);
        return finish(b);
    }
}
