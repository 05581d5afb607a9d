package io.xtarget.scsi.copy;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.copy.ParameterList.BlockToBlock;
import io.xtarget.scsi.copy.ParameterList.BlockToBlockBytes;
import io.xtarget.scsi.copy.ParameterList.IdentificationCscd;
import io.xtarget.scsi.copy.ParameterList.Segment;
import io.xtarget.scsi.copy.ParameterList.VerifyCscd;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a parsed parameter list into transfers: resolves CSCDs, checks ranges, block sizes,
 * exactness and access ({@link CopyAccess}) for every segment before any data moves, so a
 * copy that would fail in segment N does not leave segments 0..N-1 half-written behind a
 * misleading status. Errors carry the failing segment index in the COMMAND-SPECIFIC
 * INFORMATION field (SPC-4 6.4.3.x).
 */
final class CopyPlanner {
    private CopyPlanner() {}

    static List<Transfer> plan(ScsiTask task, ParameterList list) throws ScsiException {
        CopyTargets targets = CopyTargets.of(task);
        List<Transfer> out = new ArrayList<>(list.segments().size());
        for (Segment s : list.segments()) {
            out.add(switch (s) {
                case BlockToBlock b -> blockToBlock(task, targets, list.cscds(), b);
                case BlockToBlockBytes b -> blockToBlockBytes(task, targets, list.cscds(), b);
                case VerifyCscd v -> {
                    LogicalUnit lu = endpoint(task, targets, list.cscds(), v.source(), false, v.index());
                    yield new Transfer(v.index(), lu, 0, lu, 0, 0);
                }
            });
        }
        return out;
    }

    private static Transfer blockToBlock(ScsiTask task, CopyTargets targets, List<IdentificationCscd> cscds,
            BlockToBlock b) throws ScsiException {
        LogicalUnit src = endpoint(task, targets, cscds, b.source(), false, b.index());
        LogicalUnit dst = endpoint(task, targets, cscds, b.destination(), true, b.index());
        int sbs = src.blockSize();
        int dbs = dst.blockSize();
        // DC=1: NUMBER OF BLOCKS counts destination blocks, else source blocks (SPC-4 6.4.6.5).
        long bytes = (long) b.blocks() * (b.dc() ? dbs : sbs);
        if (bytes % sbs != 0 || bytes % dbs != 0) {
            throw new ScsiException(CopySense.unexpectedInexactSegment(b.index()));
        }
        if (!src.inRange(b.sourceLba(), bytes / sbs) || !dst.inRange(b.destinationLba(), bytes / dbs)) {
            throw new ScsiException(CopySense.targetNotReachable(b.index()));
        }
        return new Transfer(b.index(), src, b.sourceLba() * sbs, dst, b.destinationLba() * dbs, bytes);
    }

    private static Transfer blockToBlockBytes(ScsiTask task, CopyTargets targets, List<IdentificationCscd> cscds,
            BlockToBlockBytes b) throws ScsiException {
        LogicalUnit src = endpoint(task, targets, cscds, b.source(), false, b.index());
        LogicalUnit dst = endpoint(task, targets, cscds, b.destination(), true, b.index());
        long srcOff = byteOffset(src, b.sourceLba(), b.sourceByteOffset());
        long dstOff = byteOffset(dst, b.destinationLba(), b.destinationByteOffset());
        long bytes = b.bytes();
        if (srcOff < 0 || dstOff < 0 || bytes > src.store().sizeBytes() - srcOff
                || bytes > dst.store().sizeBytes() - dstOff) {
            throw new ScsiException(CopySense.targetNotReachable(b.index()));
        }
        return new Transfer(b.index(), src, srcOff, dst, dstOff, bytes);
    }

    /** LBA * block size + byte offset, or -1 when that lies past the medium (no overflow). */
    private static long byteOffset(LogicalUnit lu, long lba, int byteOffset) {
        if (lba < 0 || lba > lu.blockCount()) {
            return -1;
        }
        long off = lba * lu.blockSize() + byteOffset;
        return off > lu.store().sizeBytes() ? -1 : off;
    }

    /**
     * Resolves one side of a segment (SPC-4 6.4.5.6: an unknown or inaccessible designator is
     * COPY TARGET DEVICE NOT REACHABLE), checks its DISK BLOCK LENGTH (INCORRECT COPY TARGET
     * DEVICE TYPE), then the core's access check as a READ of the source or a WRITE of the
     * destination by this initiator would get it ({@link CopyAccess}: reservations, sanitize,
     * missing image, ejected medium, read-only mapping, software write protection).
     */
    private static LogicalUnit endpoint(ScsiTask task, CopyTargets targets, List<IdentificationCscd> cscds,
            int cscdId, boolean destination, int segment) throws ScsiException {
        LunMapping mapping = targets.resolve(cscdId, cscds, destination);
        if (mapping != null && cscdId != CopyLimits.CSCD_ID_SELF) {
            int diskBlockLength = cscds.get(cscdId).diskBlockLength();
            if (diskBlockLength != 0 && diskBlockLength != mapping.unit().blockSize()) {
                throw new ScsiException(CopySense.incorrectTargetDeviceType(segment));
            }
        }
        return CopyAccess.check(task, mapping, destination, segment);
    }
}
