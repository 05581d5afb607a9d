package io.xtarget.iscsi;

import java.util.Map;

/**
 * Answers the initiator's operational keys (RFC 7143 13) and accumulates the agreed values.
 * Each key has its result function (min, max, AND, OR, list choice, declarative) as the RFC
 * defines it; values out of range get "Reject", unknown keys "NotUnderstood".
 */
final class Negotiation {
    /** What this target can do; bounded so an initiator cannot make us allocate more. */
    static final int TARGET_MAX_RECV_DATA_SEGMENT = 262144;
    static final int TARGET_MAX_BURST = 16776192;
    static final int TARGET_MAX_OUTSTANDING_R2T = 16;

    private boolean headerDigest;
    private boolean dataDigest;
    private int maxSend = 8192;
    private int maxBurst = 262144;
    private int firstBurst = 65536;
    private boolean immediateData = true;
    private boolean initialR2T = true;
    private int maxOutstandingR2T = 1;
    private boolean dataPduInOrder = true;
    private boolean dataSequenceInOrder = true;
    private int time2Wait = 2;
    private int time2Retain = 20;
    private boolean declaredMaxRecv;

    /** Adds the answer for every operational key in {@code request} to {@code response}. */
    void answer(TextParameters request, TextParameters response) {
        for (Map.Entry<String, String> e : request.asMap().entrySet()) {
            String key = e.getKey();
            String v = e.getValue();
            switch (key) {
                case "InitiatorName", "TargetName", "SessionType", "InitiatorAlias", "AuthMethod",
                     "TargetAlias", "TargetAddress", "TargetPortalGroupTag" -> { /* handled by the login */ }
                case "HeaderDigest" -> response.put(key, chooseDigest(v, true));
                case "DataDigest" -> response.put(key, chooseDigest(v, false));
                case "MaxConnections" -> numeric(response, key, v, 1, 65535, n -> 1);
                case "ErrorRecoveryLevel" -> numeric(response, key, v, 0, 2, n -> 0);
                case "InitialR2T" -> bool(response, key, v, b -> initialR2T = b);
                case "ImmediateData" -> bool(response, key, v, b -> immediateData = b);
                case "DataPDUInOrder" -> bool(response, key, v, b -> dataPduInOrder = b);
                case "DataSequenceInOrder" -> bool(response, key, v, b -> dataSequenceInOrder = b);
                case "MaxRecvDataSegmentLength" -> {
                    Integer n = parse(v, 512, 16777215);
                    if (n == null) {
                        response.put(key, "Reject");
                    } else {
                        maxSend = n;
                    }
                    declareMaxRecv(response);
                }
                case "MaxBurstLength" -> numeric(response, key, v, 512, 16777215,
                        n -> maxBurst = Math.min(n, TARGET_MAX_BURST));
                case "FirstBurstLength" -> numeric(response, key, v, 512, 16777215,
                        n -> firstBurst = Math.min(n, TARGET_MAX_BURST));
                case "MaxOutstandingR2T" -> numeric(response, key, v, 1, 65535,
                        n -> maxOutstandingR2T = Math.min(n, TARGET_MAX_OUTSTANDING_R2T));
                case "DefaultTime2Wait" -> numeric(response, key, v, 0, 3600, n -> time2Wait = Math.max(n, 2));
                case "DefaultTime2Retain" -> numeric(response, key, v, 0, 3600, n -> time2Retain = Math.min(n, 20));
                case "IFMarker", "OFMarker" -> response.put(key, "No");
                case "IFMarkInt", "OFMarkInt" -> response.put(key, "Irrelevant");
                default -> response.put(key, "NotUnderstood");
            }
        }
    }

    /** The target's own MaxRecvDataSegmentLength declaration, sent once per login. */
    void declareMaxRecv(TextParameters response) {
        if (!declaredMaxRecv) {
            response.put("MaxRecvDataSegmentLength", Integer.toString(TARGET_MAX_RECV_DATA_SEGMENT));
            declaredMaxRecv = true;
        }
    }

    SessionParams result() {
        // RFC 7143 13.14: FirstBurstLength must not exceed MaxBurstLength.
        int fb = Math.min(firstBurst, maxBurst);
        return new SessionParams(headerDigest, dataDigest, TARGET_MAX_RECV_DATA_SEGMENT, maxSend, maxBurst, fb,
                immediateData, initialR2T, maxOutstandingR2T, dataPduInOrder, dataSequenceInOrder, time2Wait,
                time2Retain);
    }

    /** Parameters for a session whose initiator skipped the operational stage: RFC defaults. */
    SessionParams defaultsOnly() {
        return new SessionParams(false, false, 8192, 8192, 262144, 65536, true, true, 1, true, true, 2, 20);
    }

    private String chooseDigest(String offered, boolean header) {
        for (String choice : offered.split(",")) {
            if (choice.equals("CRC32C") || choice.equals("None")) {
                boolean crc = choice.equals("CRC32C");
                if (header) {
                    headerDigest = crc;
                } else {
                    dataDigest = crc;
                }
                return choice;
            }
        }
        return "Reject";
    }

    private interface IntSink {
        int accept(int n);
    }

    private interface BoolSink {
        void accept(boolean b);
    }

    private static void numeric(TextParameters response, String key, String v, int min, int max, IntSink sink) {
        Integer n = parse(v, min, max);
        if (n == null) {
            response.put(key, "Reject");
        } else {
            response.put(key, Integer.toString(sink.accept(n)));
        }
    }

    /**
     * Boolean keys, whether their result function is OR (InitialR2T, DataPDUInOrder,
     * DataSequenceInOrder) or AND (ImmediateData): this target accepts either value and handles
     * data in any order, so the result is always the initiator's offer.
     */
    private static void bool(TextParameters response, String key, String v, BoolSink sink) {
        if (!v.equals("Yes") && !v.equals("No")) {
            response.put(key, "Reject");
            return;
        }
        boolean b = v.equals("Yes");
        sink.accept(b);
        response.put(key, b ? "Yes" : "No");
    }

    static Integer parse(String v, int min, int max) {
        if (v == null || v.isEmpty() || v.length() > 10) {
            return null;
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            n = n * 10 + (c - '0');
        }
        return n < min || n > max ? null : (int) n;
    }
}
