package io.xtarget.scsi.copy;

import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.copy.ParameterList.BlockToBlock;
import io.xtarget.scsi.copy.ParameterList.BlockToBlockBytes;
import io.xtarget.scsi.copy.ParameterList.Header;
import io.xtarget.scsi.copy.ParameterList.IdentificationCscd;
import io.xtarget.scsi.copy.ParameterList.Segment;
import io.xtarget.scsi.copy.ParameterList.VerifyCscd;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The one parser of EXTENDED COPY (LID1) parameter lists (SPC-4 6.4.3). Total: every length is
 * checked against the bytes received before anything is read or allocated, and every failure is
 * a {@link ScsiException} with the sense SPC-4 asks for. Field pointers are byte offsets in the
 * parameter list.
 */
public final class ParameterListParser {
    static final int HEADER_LENGTH = 16;
    private static final int CSCD_LENGTH = 32;
    private static final int MAX_DESIGNATOR_LENGTH = 20;

    private final ByteBuffer buf;
    private final int length;

    private ParameterListParser(ByteBuffer data) {
        this.buf = data.duplicate();
        this.length = data.remaining();
    }

    /**
     * Parses a whole parameter list.
     *
     * @param data exactly the PARAMETER LIST LENGTH bytes the initiator sent (position 0)
     */
    public static ParameterList parse(ByteBuffer data, CopyLimits limits) throws ScsiException {
        return new ParameterListParser(data.slice()).parse(limits);
    }

    private ParameterList parse(CopyLimits limits) throws ScsiException {
        if (length < HEADER_LENGTH) {
            throw new ScsiException(Sense.parameterListLengthError());
        }
        int listId = u8(0);
        int b1 = u8(1);
        int usage = (b1 >>> 3) & 3;
        if (usage == 0b01) { // reserved (SPC-4 table 104)
            throw new ScsiException(Sense.invalidFieldInParameterList(1, 4));
        }
        if (usage == ParameterList.USAGE_NO_LIST_ID && listId != 0) {
            throw new ScsiException(Sense.invalidFieldInParameterList(0, -1));
        }
        int cscdLen = u16(2);
        long segLen = u32(8);
        long inlineLen = u32(12);
        Header header = new Header(listId, (b1 & 0x20) != 0, usage, b1 & 7, cscdLen, segLen, inlineLen);

        // SPC-4 6.4.3.1: descriptor lists larger than MAXIMUM DESCRIPTOR LIST LENGTH, or lists that
        // run past the parameter list, are PARAMETER LIST LENGTH ERROR.
        if (cscdLen + segLen > limits.maxDescriptorListLength()) {
            throw new ScsiException(Sense.parameterListLengthError());
        }
        if (HEADER_LENGTH + cscdLen + segLen + inlineLen > length) {
            throw new ScsiException(Sense.parameterListLengthError());
        }
        if (inlineLen > limits.maxInlineDataLength()) {
            throw new ScsiException(Sense.invalidFieldInParameterList(12, -1));
        }
        int cscdEnd = HEADER_LENGTH + cscdLen;
        List<IdentificationCscd> cscds = parseCscds(HEADER_LENGTH, cscdEnd, limits);
        List<Segment> segments = parseSegments(cscdEnd, cscdEnd + (int) segLen, limits);
        return new ParameterList(header, cscds, segments);
    }

    private List<IdentificationCscd> parseCscds(int start, int end, CopyLimits limits) throws ScsiException {
        List<IdentificationCscd> out = new ArrayList<>();
        int off = start;
        while (off < end) {
            if (out.size() == limits.maxCscdCount()) {
                throw new ScsiException(CopySense.tooManyTargetDescriptors());
            }
            int type = u8(off);
            int size = cscdSize(type);
            if (size < 0 || type != CopyLimits.CSCD_IDENTIFICATION) {
                throw new ScsiException(CopySense.unsupportedTargetDescriptorType(off));
            }
            if (off + size > end) { // the CSCD list ends inside a descriptor
                throw new ScsiException(Sense.invalidFieldInParameterList(2, -1));
            }
            out.add(identification(off));
            off += size;
        }
        return out;
    }

    /** Length of a CSCD descriptor by type code (SPC-4 table 106), or -1 for codes with no defined format. */
    private static int cscdSize(int type) {
        if (type >= 0xE0 && type <= 0xE9) {
            return CSCD_LENGTH;
        }
        return switch (type) {
            case 0xEA, 0xEB, 0xFE -> 64;
            default -> -1;
        };
    }

    private IdentificationCscd identification(int off) throws ScsiException {
        int b1 = u8(off + 1);
        int peripheralType = b1 & 0x1F;
        // LU ID TYPE and NUL do not apply to identification descriptors in SPC-4 (NUL is
        // obsolete); the designator alone names the LU. Only block devices can be copy targets,
        // and only their type specific parameters (bytes 28..31) are defined here.
        if (peripheralType != 0) {
            throw new ScsiException(Sense.invalidFieldInParameterList(off + 1, 4));
        }
        int codeSet = u8(off + 4) & 0x0F;
        int b5 = u8(off + 5);
        int designatorLength = u8(off + 7);
        if (designatorLength > MAX_DESIGNATOR_LENGTH) {
            throw new ScsiException(Sense.invalidFieldInParameterList(off + 7, -1));
        }
        byte[] designator = new byte[designatorLength];
        buf.get(off + 8, designator);
        boolean pad = (u8(off + 28) & 0x04) != 0;
        int diskBlockLength = (u8(off + 29) << 16) | u16(off + 30);
        return new IdentificationCscd(off, peripheralType, codeSet, (b5 >>> 4) & 3, b5 & 0x0F, designator, pad,
                diskBlockLength);
    }

    private List<Segment> parseSegments(int start, int end, CopyLimits limits) throws ScsiException {
        List<Segment> out = new ArrayList<>();
        int off = start;
        while (off < end) {
            if (out.size() == limits.maxSegmentCount()) {
                throw new ScsiException(CopySense.tooManySegmentDescriptors());
            }
            if (off + 4 > end) { // the segment list ends inside a descriptor header
                throw new ScsiException(Sense.invalidFieldInParameterList(8, -1));
            }
            int type = u8(off);
            int descriptorLength = u16(off + 2);
            int expected = switch (type) {
                case CopyLimits.SEG_BLOCK_TO_BLOCK -> 0x18;
                case CopyLimits.SEG_BLOCK_TO_BLOCK_BYTES -> 0x1C;
                case CopyLimits.SEG_VERIFY_CSCD -> 0x08;
                default -> throw new ScsiException(CopySense.unsupportedSegmentDescriptorType(off));
            };
            if (descriptorLength != expected || off + 4 + descriptorLength > end) {
                throw new ScsiException(Sense.invalidFieldInParameterList(off + 2, -1));
            }
            int index = out.size();
            out.add(switch (type) {
                case CopyLimits.SEG_BLOCK_TO_BLOCK -> new BlockToBlock(index, off, (u8(off + 1) & 2) != 0,
                        (u8(off + 1) & 1) != 0, u16(off + 4), u16(off + 6), u16(off + 10), u64(off + 12), u64(off + 20));
                case CopyLimits.SEG_BLOCK_TO_BLOCK_BYTES -> blockToBlockBytes(index, off, limits);
                default -> new VerifyCscd(index, off, u16(off + 4), (u8(off + 8) & 1) != 0);
            });
            off += 4 + descriptorLength;
        }
        return out;
    }

    private BlockToBlockBytes blockToBlockBytes(int index, int off, CopyLimits limits) throws ScsiException {
        long bytes = u32(off + 8);
        if (bytes > limits.maxSegmentLength()) {
            throw new ScsiException(Sense.invalidFieldInParameterList(off + 8, -1));
        }
        return new BlockToBlockBytes(index, off, (u8(off + 1) & 1) != 0, u16(off + 4), u16(off + 6), bytes,
                u64(off + 12), u64(off + 20), u16(off + 28), u16(off + 30));
    }

    private int u8(int i) {
        return buf.get(i) & 0xFF;
    }

    private int u16(int i) {
        return (u8(i) << 8) | u8(i + 1);
    }

    private long u32(int i) {
        return ((long) u16(i) << 16) | u16(i + 2);
    }

    private long u64(int i) {
        return (u32(i) << 32) | u32(i + 4);
    }
}
