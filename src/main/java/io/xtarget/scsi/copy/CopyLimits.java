package io.xtarget.scsi.copy;

/**
 * The copy manager's limits, in one record so RECEIVE COPY RESULTS OPERATING PARAMETERS
 * (SPC-4 6.20.4), the Third-party Copy VPD page (SPC-4 7.8.17) and the parser that enforces them
 * can never disagree.
 *
 * @param maxCscdCount MAXIMUM CSCD DESCRIPTOR COUNT
 * @param maxSegmentCount MAXIMUM SEGMENT DESCRIPTOR COUNT
 * @param maxDescriptorListLength MAXIMUM DESCRIPTOR LIST LENGTH (CSCD + segment lists, bytes)
 * @param maxSegmentLength MAXIMUM SEGMENT LENGTH (bytes one segment may move)
 * @param maxInlineDataLength MAXIMUM INLINE DATA LENGTH (0: no inline data)
 * @param heldDataLimit HELD DATA LIMIT (0: no data is held, only status)
 * @param totalConcurrentCopies TOTAL CONCURRENT COPIES, enforced server-wide
 * @param maxConcurrentCopies MAXIMUM (IDENTIFIED) CONCURRENT COPIES, one byte
 * @param dataSegmentGranularityLog2 DATA SEGMENT GRANULARITY (log 2); byte-granular 0Ah segments make it 0
 * @param inlineDataGranularityLog2 INLINE DATA GRANULARITY (log 2)
 * @param heldDataGranularityLog2 HELD DATA GRANULARITY (log 2)
 */
public record CopyLimits(int maxCscdCount, int maxSegmentCount, int maxDescriptorListLength, long maxSegmentLength,
        int maxInlineDataLength, int heldDataLimit, int totalConcurrentCopies, int maxConcurrentCopies,
        int dataSegmentGranularityLog2, int inlineDataGranularityLog2, int heldDataGranularityLog2) {

    /** What xtarget advertises and enforces. */
    public static final CopyLimits DEFAULT = new CopyLimits(64, 256, 16 * 1024, 1L << 30, 0, 0, 32, 32, 0, 0, 0);

    /** Segment descriptor type codes the parser accepts (SPC-4 table "segment descriptor type codes"). */
    public static final int SEG_VERIFY_CSCD = 0x07;
    public static final int SEG_BLOCK_TO_BLOCK = 0x02;
    public static final int SEG_BLOCK_TO_BLOCK_BYTES = 0x0A;
    /** The one CSCD descriptor type supported: identification descriptor (SPC-4 6.4.5.6). */
    public static final int CSCD_IDENTIFICATION = 0xE4;
    /** CSCD descriptor ID meaning "the LU that received the command" (SPC-4 6.4.6.1). */
    public static final int CSCD_ID_SELF = 0xFFFF;

    /** Type codes listed in OPERATING PARAMETERS and VPD 0x8F (segment codes then CSCD codes, ascending). */
    public static final byte[] IMPLEMENTED_DESCRIPTORS = {
        SEG_BLOCK_TO_BLOCK, SEG_VERIFY_CSCD, SEG_BLOCK_TO_BLOCK_BYTES, (byte) CSCD_IDENTIFICATION
    };
}
