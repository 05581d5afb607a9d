package io.xtarget.iscsi;

/**
 * The operational parameters a login agreed on (RFC 7143 13). Values the target applies when
 * moving data: how big a PDU it may send ({@code maxSendDataSegmentLength}, the initiator's
 * MaxRecvDataSegmentLength), how much unsolicited data to expect, how much to solicit per R2T.
 */
public record SessionParams(
        boolean headerDigest,
        boolean dataDigest,
        int maxRecvDataSegmentLength,
        int maxSendDataSegmentLength,
        int maxBurstLength,
        int firstBurstLength,
        boolean immediateData,
        boolean initialR2T,
        int maxOutstandingR2T,
        boolean dataPduInOrder,
        boolean dataSequenceInOrder,
        int defaultTime2Wait,
        int defaultTime2Retain) {

    /** RFC 7143 defaults, before any negotiation; what a target declares for itself. */
    public static SessionParams defaults(int targetMaxRecv) {
        return new SessionParams(false, false, targetMaxRecv, 8192, 262144, 65536, true, true, 1, true, true, 2, 20);
    }
}
