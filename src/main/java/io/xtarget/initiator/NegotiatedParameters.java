package io.xtarget.initiator;

/**
 * The outcome of login negotiation (RFC 7143 13).
 *
 * @param targetMaxRecvDataSegmentLength the largest data segment we may send (declared by the target)
 * @param initiatorMaxRecvDataSegmentLength the largest data segment the target may send us
 */
public record NegotiatedParameters(Digest headerDigest, Digest dataDigest, int targetMaxRecvDataSegmentLength,
        int initiatorMaxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength, boolean immediateData,
        boolean initialR2T, int maxOutstandingR2T, boolean dataPduInOrder, boolean dataSequenceInOrder,
        int errorRecoveryLevel, int maxConnections, int defaultTime2Wait, int defaultTime2Retain,
        int targetPortalGroupTag, String targetAlias) {}
