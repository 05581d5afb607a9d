package io.xtarget.scsi.copy;

import java.util.List;

/**
 * A parsed EXTENDED COPY (LID1) parameter list (SPC-4 6.4.3): the header, the CSCD descriptors
 * and the segment descriptors. Built only by {@link ParameterListParser}, which has checked every
 * length, so consumers never re-validate structure.
 */
public record ParameterList(Header header, List<IdentificationCscd> cscds, List<Segment> segments) {

    public ParameterList {
        cscds = List.copyOf(cscds);
        segments = List.copyOf(segments);
    }

    /** LIST ID USAGE values (SPC-4 table 104). */
    public static final int USAGE_HOLD = 0b00;
    public static final int USAGE_NO_HOLD = 0b10;
    public static final int USAGE_NO_LIST_ID = 0b11;

    /**
     * Parameter list header.
     *
     * @param listId LIST IDENTIFIER
     * @param str STR (sequential striped): a hint, ignored
     * @param listIdUsage LIST ID USAGE: 00b hold results, 10b no hold, 11b no list identifier
     * @param priority PRIORITY: ignored, copies run as they come
     */
    public record Header(int listId, boolean str, int listIdUsage, int priority, int cscdListLength,
            long segmentListLength, long inlineDataLength) {

        /** Whether the list identifier names the copy for duplicate checks and RECEIVE COPY RESULTS. */
        public boolean identified() {
            return listIdUsage != USAGE_NO_LIST_ID;
        }
    }

    /**
     * Identification descriptor CSCD (type E4h, SPC-4 6.4.5.6) with block device type specific
     * parameters (6.4.5.2.2).
     *
     * @param offset byte offset of the descriptor in the parameter list (for field pointers)
     * @param peripheralType PERIPHERAL DEVICE TYPE (0: direct access block device)
     * @param codeSet CODE SET of the designator
     * @param association ASSOCIATION of the designator
     * @param designatorType DESIGNATOR TYPE
     * @param designator the designator, DESIGNATOR LENGTH bytes (at most 20)
     * @param pad PAD bit
     * @param diskBlockLength DISK BLOCK LENGTH (0: not specified)
     */
    public record IdentificationCscd(int offset, int peripheralType, int codeSet, int association,
            int designatorType, byte[] designator, boolean pad, int diskBlockLength) {
        public IdentificationCscd {
            designator = designator.clone();
        }

        @Override
        public byte[] designator() {
            return designator.clone();
        }
    }

    /** A segment descriptor; {@code index} is its position in the list (0-based), {@code offset} its byte offset. */
    public sealed interface Segment permits BlockToBlock, BlockToBlockBytes, VerifyCscd {
        int index();

        int offset();
    }

    /**
     * Block device to block device (02h, SPC-4 6.4.6.5).
     *
     * @param dc DESTINATION COUNT: NUMBER OF BLOCKS counts destination blocks
     * @param cat CAT: residue handling; inexact segments are rejected either way
     */
    public record BlockToBlock(int index, int offset, boolean dc, boolean cat, int source, int destination,
            int blocks, long sourceLba, long destinationLba) implements Segment {}

    /** Block device with offset to block device with offset (0Ah, SPC-4 6.4.6.7): a byte count. */
    public record BlockToBlockBytes(int index, int offset, boolean cat, int source, int destination, long bytes,
            long sourceLba, long destinationLba, int sourceByteOffset, int destinationByteOffset) implements Segment {}

    /** Verify CSCD (07h, SPC-4 6.4.6.14): checks that a copy target is reachable. */
    public record VerifyCscd(int index, int offset, int source, boolean tur) implements Segment {}
}
