package io.xtarget.scsi.copy;

import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;

/**
 * Sense data of token-based copy, named as SPC-4 Annex D names them (ASC 23h, INVALID TOKEN
 * OPERATION, and the copy codes SBC-3 gives WRITE USING TOKEN).
 */
final class TokenSense {
    private TokenSense() {}

    /** 23h/00h INVALID TOKEN OPERATION, CAUSE NOT REPORTABLE. */
    static Sense causeNotReportable() {
        return Sense.illegal(0x23, 0x00);
    }

    /** 23h/01h UNSUPPORTED TOKEN TYPE: the ROD TYPE in the token is neither type this copy manager knows. */
    static Sense unsupportedTokenType() {
        return Sense.illegal(0x23, 0x01);
    }

    /**
     * 23h/04h TOKEN UNKNOWN: never created here, or its source LU is one this initiator may not
     * read (the two are indistinguishable on purpose).
     */
    static Sense tokenUnknown() {
        return Sense.illegal(0x23, 0x04);
    }

    /** 23h/06h TOKEN REVOKED: its source LU was removed from the server, replaced or shrunk. */
    static Sense tokenRevoked() {
        return Sense.illegal(0x23, 0x06);
    }

    /** 23h/07h TOKEN EXPIRED: unused for longer than its inactivity timeout. */
    static Sense tokenExpired() {
        return Sense.illegal(0x23, 0x07);
    }

    /** 23h/09h TOKEN DELETED: a WRITE USING TOKEN with DEL_TKN=1 used it. */
    static Sense tokenDeleted() {
        return Sense.illegal(0x23, 0x09);
    }

    /** 23h/0Ah INVALID TOKEN LENGTH: ROD TOKEN LENGTH is not 01F8h. */
    static Sense invalidTokenLength() {
        return Sense.illegal(0x23, 0x0A);
    }

    /**
     * COPY ABORTED / COPY TARGET DEVICE DATA UNDERRUN (0Dh/04h) with INFORMATION set to the
     * logical blocks written, contiguous from the first range descriptor (SBC-3 WRITE USING TOKEN):
     * the host continues from there.
     */
    static Sense dataUnderrun(long blocksWritten) {
        return new Sense(SenseKey.COPY_ABORTED, 0x0D, 0x04).withInformation(blocksWritten);
    }

    /** COPY ABORTED / COPY TARGET DEVICE NOT REACHABLE (0Dh/02h): the token's source is not ready. */
    static Sense sourceNotReachable() {
        return new Sense(SenseKey.COPY_ABORTED, 0x0D, 0x02);
    }

    /** ILLEGAL REQUEST / TOO MANY SEGMENT DESCRIPTORS (26h/08h): more range descriptors than advertised. */
    static Sense tooManyRanges() {
        return Sense.illegal(0x26, 0x08);
    }
}
