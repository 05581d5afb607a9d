package io.xtarget.scsi.copy;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POPULATE TOKEN (SBC-3 5.x, 83h/10h): creates a ROD token of ROD type "access upon reference"
 * for block device range descriptors of the LU that received it; RECEIVE ROD TOKEN INFORMATION
 * with the same list identifier returns it.
 *
 * <p>The row is a READ ({@link io.xtarget.scsi.MediumAccess#READ}): the core has checked
 * reservations and the medium as for a READ of the source. An access-upon-reference token copies
 * no data when it is made (the data is read when a WRITE USING TOKEN uses it), so the operation is
 * complete before status whether IMMED is zero or one; RECEIVE ROD TOKEN INFORMATION then reports
 * COPY OPERATION STATUS 01h, TRANSFER COUNT in logical blocks (units F1h) and the token.
 *
 * <p>Refusals: PARAMETER LIST LENGTH ERROR for a list shorter than the header and one range;
 * INVALID FIELD IN CDB for one longer than {@link TokenLimits#maxRanges} ranges; INVALID FIELD IN
 * PARAMETER LIST for reserved flag bits, an INACTIVITY TIMEOUT above the maximum (byte 4), RTV=1
 * with a ROD TYPE other than access upon reference (byte 8), overlapping ranges, or more blocks
 * than MAXIMUM TOKEN TRANSFER SIZE; TOO MANY SEGMENT DESCRIPTORS past the maximum ranges; LBA OUT
 * OF RANGE; OPERATION IN PROGRESS for a busy list identifier; INSUFFICIENT RESOURCES when the
 * token table is full.
 */
final class PopulateToken {
    private static final Logger log = LoggerFactory.getLogger(PopulateToken.class);
    static final int SA = 0x10;
    /** Bytes before the first block device range descriptor. */
    static final int HEADER = 16;
    private static final int RANGE_LENGTH_FIELD = 14;

    private final TokenContext ctx;

    PopulateToken(TokenContext ctx) {
        this.ctx = ctx;
    }

    ScsiResult execute(ScsiTask task) throws ScsiException {
        LogicalUnit lu = task.lu();
        TokenLimits limits = ctx.limits();
        TokenListHeader h = TokenListHeader.read(task, HEADER, RANGE_LENGTH_FIELD);
        ByteBuffer p = h.list();
        int flags = h.flags();
        int rangeLength = h.rangeLength();
        long timeout = p.getInt(4) & 0xFFFF_FFFFL;
        if (timeout > limits.maxInactivitySeconds()) {
            throw new ScsiException(Sense.invalidFieldInParameterList(4, -1));
        }
        boolean rtv = (flags & 0x02) != 0;
        if (rtv && p.getInt(8) != TokenLimits.ROD_TYPE_ACCESS_UPON_REFERENCE) {
            throw new ScsiException(Sense.invalidFieldInParameterList(8, -1));
        }
        RangeDescriptors ranges = RangeDescriptors.parse(p, HEADER, rangeLength, RANGE_LENGTH_FIELD, limits);
        ranges.check(lu);
        long maxBlocks = limits.maxTokenTransferBytes() / lu.blockSize();
        long blocks = 0;
        for (int i = 0; i < ranges.ranges().size(); i++) {
            blocks += ranges.ranges().get(i).blocks();
            if (blocks > maxBlocks) {
                throw new ScsiException(Sense.invalidFieldInParameterList(ranges.blocksField(i), -1));
            }
        }
        long listId = task.cdb().u32(6);
        TokenOperation op = ctx.operations().begin(task.nexus(), SA, listId, (flags & 0x01) != 0);
        try {
            int seconds = timeout == 0 ? limits.defaultInactivitySeconds() : (int) timeout;
            RodToken token = ctx.tokens().create(lu, ranges.ranges(), task.nexus(), seconds);
            op.blocks(blocks);
            op.succeed(TokenOperation.COMPLETED, token.bytes(), ctx.operations().now());
            log.info("POPULATE TOKEN list {} from {}: {} of {}, {} range(s), {} bytes, inactivity timeout {} s", listId,
                    task.nexus(), token, lu.name(), ranges.ranges().size(), token.bytesRepresented(), seconds);
            return ScsiResult.good();
        } catch (ScsiException e) {
            op.fail(e.status(), e.sense(), ctx.operations().now());
            throw e;
        }
    }
}
