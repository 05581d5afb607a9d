package io.xtarget.scsi.copy;

import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;

/** Sense data specific to third-party copy, named as SPC-4 Annex D names them. */
final class CopySense {
    private CopySense() {}

    static Sense tooManyTargetDescriptors() {
        return Sense.illegal(0x26, 0x06);
    }

    static Sense unsupportedTargetDescriptorType(int byteIndex) {
        return Sense.illegal(0x26, 0x07).withFieldPointer(false, byteIndex, -1);
    }

    static Sense tooManySegmentDescriptors() {
        return Sense.illegal(0x26, 0x08);
    }

    static Sense unsupportedSegmentDescriptorType(int byteIndex) {
        return Sense.illegal(0x26, 0x09).withFieldPointer(false, byteIndex, -1);
    }

    /** ILLEGAL REQUEST / OPERATION IN PROGRESS (00h/16h): a list identifier still in use (SPC-4 6.4.3.2). */
    static Sense operationInProgress() {
        return Sense.illegal(0x00, 0x16);
    }

    /** ILLEGAL REQUEST / INSUFFICIENT RESOURCES (55h/03h): more than TOTAL CONCURRENT COPIES. */
    static Sense insufficientResources() {
        return Sense.illegal(0x55, 0x03);
    }

    /** COPY ABORTED / THIRD PARTY DEVICE FAILURE (0Dh/01h), e.g. a backend I/O error. */
    static Sense thirdPartyDeviceFailure(int segment) {
        return new Sense(SenseKey.COPY_ABORTED, 0x0D, 0x01).withCommandSpecific(segment);
    }

    /**
     * COPY ABORTED / COPY TARGET DEVICE NOT REACHABLE (0Dh/02h): unknown, inaccessible or
     * out-of-range copy target. An LU the initiator may not access is reported exactly like one
     * that does not exist.
     */
    static Sense targetNotReachable(int segment) {
        return new Sense(SenseKey.COPY_ABORTED, 0x0D, 0x02).withCommandSpecific(segment);
    }

    /** COPY ABORTED / INCORRECT COPY TARGET DEVICE TYPE (0Dh/03h): e.g. wrong DISK BLOCK LENGTH. */
    static Sense incorrectTargetDeviceType(int segment) {
        return new Sense(SenseKey.COPY_ABORTED, 0x0D, 0x03).withCommandSpecific(segment);
    }

    /** COPY ABORTED / UNEXPECTED INEXACT SEGMENT (26h/0Ah): the bytes do not fill whole blocks. */
    static Sense unexpectedInexactSegment(int segment) {
        return new Sense(SenseKey.COPY_ABORTED, 0x26, 0x0A).withCommandSpecific(segment);
    }
}
