package io.xtarget.scsi.copy;

import io.xtarget.scsi.LogicalUnit;

/**
 * One resolved, range-checked unit of work: move {@code length} bytes from a source LU offset to
 * a destination LU offset (a segment after CSCD resolution). {@code length} 0 moves nothing
 * (verify segments, empty segments).
 */
record Transfer(int segment, LogicalUnit source, long sourceOffset, LogicalUnit destination, long destinationOffset,
        long length) {

    /** Same medium and overlapping byte ranges: must be copied like memmove. */
    boolean overlaps() {
        return source.store() == destination.store() && length > 0
                && sourceOffset < destinationOffset + length && destinationOffset < sourceOffset + length;
    }
}
