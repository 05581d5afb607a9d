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

    /**
     * These parameters with one agreed (or, for a declarative key, declared) value applied. The
     * value must be one the key's {@link KeyValues} admit. The initiator's MaxRecvDataSegmentLength
     * is what this target may send (RFC 7143 13.12); keys that set no parameter change nothing.
     */
    SessionParams with(String key, String value) {
        boolean yes = value.equals("Yes") || value.equals("CRC32C");
        Integer parsed = KeyValues.number(value, 0, Integer.MAX_VALUE);
        int n = parsed == null ? 0 : parsed;
        Copy c = new Copy(this);
        switch (key) {
            case "HeaderDigest" -> c.headerDigest = yes;
            case "DataDigest" -> c.dataDigest = yes;
            case "MaxRecvDataSegmentLength" -> c.maxSend = n;
            case "MaxBurstLength" -> c.maxBurst = n;
            case "FirstBurstLength" -> c.firstBurst = n;
            case "ImmediateData" -> c.immediateData = yes;
            case "InitialR2T" -> c.initialR2T = yes;
            case "MaxOutstandingR2T" -> c.maxOutstandingR2T = n;
            case "DataPDUInOrder" -> c.dataPduInOrder = yes;
            case "DataSequenceInOrder" -> c.dataSequenceInOrder = yes;
            case "DefaultTime2Wait" -> c.time2Wait = n;
            case "DefaultTime2Retain" -> c.time2Retain = n;
            default -> {
                return this;
            }
        }
        return new SessionParams(c.headerDigest, c.dataDigest, maxRecvDataSegmentLength, c.maxSend, c.maxBurst,
                c.firstBurst, c.immediateData, c.initialR2T, c.maxOutstandingR2T, c.dataPduInOrder,
                c.dataSequenceInOrder, c.time2Wait, c.time2Retain);
    }

    /** A mutable copy of the fields {@link #with} may change. */
    private static final class Copy {
        boolean headerDigest;
        boolean dataDigest;
        int maxSend;
        int maxBurst;
        int firstBurst;
        boolean immediateData;
        boolean initialR2T;
        int maxOutstandingR2T;
        boolean dataPduInOrder;
        boolean dataSequenceInOrder;
        int time2Wait;
        int time2Retain;

        Copy(SessionParams p) {
            headerDigest = p.headerDigest;
            dataDigest = p.dataDigest;
            maxSend = p.maxSendDataSegmentLength;
            maxBurst = p.maxBurstLength;
            firstBurst = p.firstBurstLength;
            immediateData = p.immediateData;
            initialR2T = p.initialR2T;
            maxOutstandingR2T = p.maxOutstandingR2T;
            dataPduInOrder = p.dataPduInOrder;
            dataSequenceInOrder = p.dataSequenceInOrder;
            time2Wait = p.defaultTime2Wait;
            time2Retain = p.defaultTime2Retain;
        }
    }
}
