package io.xtarget.initiator;

import java.time.Duration;
import java.util.List;

/**
 * What the initiator offers at login and how long it waits. Offers are starting points of the
 * RFC 7143 negotiation; the outcome is in {@link NegotiatedParameters}.
 *
 * @param initiatorName our iSCSI name (InitiatorName)
 * @param headerDigests HeaderDigest values to offer, most preferred first
 * @param dataDigests DataDigest values to offer, most preferred first
 * @param maxRecvDataSegmentLength the largest data segment we accept (declared, 512..2^24-1)
 * @param maxBurstLength offered MaxBurstLength (negotiated to the minimum)
 * @param firstBurstLength offered FirstBurstLength (minimum; never above MaxBurstLength)
 * @param immediateData offered ImmediateData (AND)
 * @param initialR2T offered InitialR2T (OR)
 * @param maxOutstandingR2T offered MaxOutstandingR2T (minimum)
 * @param dataPduInOrder offered DataPDUInOrder (OR)
 * @param dataSequenceInOrder offered DataSequenceInOrder (OR)
 * @param defaultTime2Wait offered DefaultTime2Wait (maximum)
 * @param defaultTime2Retain offered DefaultTime2Retain (minimum)
 * @param securityStage start the login in the security stage with AuthMethod=None; false goes
 *     straight to the operational stage (RFC 7143 6.3)
 * @param connectTimeout TCP connect timeout
 * @param loginTimeout time for the whole login (and for logout)
 * @param commandTimeout time {@code execute}, {@code nop} and task management wait for an answer
 * @param chap CHAP secrets to log in with (RFC 7143 12.1.3), or null for AuthMethod=None; with
 *     CHAP the login always starts in the security stage
 */
public record InitiatorOptions(String initiatorName, List<Digest> headerDigests, List<Digest> dataDigests,
        int maxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength, boolean immediateData,
        boolean initialR2T, int maxOutstandingR2T, boolean dataPduInOrder, boolean dataSequenceInOrder,
        int defaultTime2Wait, int defaultTime2Retain, boolean securityStage, Duration connectTimeout,
        Duration loginTimeout, Duration commandTimeout, ChapSecrets chap) {

    /** Options without CHAP. */
    public InitiatorOptions(String initiatorName, List<Digest> headerDigests, List<Digest> dataDigests,
            int maxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength, boolean immediateData,
            boolean initialR2T, int maxOutstandingR2T, boolean dataPduInOrder, boolean dataSequenceInOrder,
            int defaultTime2Wait, int defaultTime2Retain, boolean securityStage, Duration connectTimeout,
            Duration loginTimeout, Duration commandTimeout) {
        this(initiatorName, headerDigests, dataDigests, maxRecvDataSegmentLength, maxBurstLength, firstBurstLength,
                immediateData, initialR2T, maxOutstandingR2T, dataPduInOrder, dataSequenceInOrder, defaultTime2Wait,
                defaultTime2Retain, securityStage, connectTimeout, loginTimeout, commandTimeout, null);
    }

    /** RFC 7143 13.12: MaxRecvDataSegmentLength is 512..2^24-1. */
    public static final int MAX_SEGMENT = (1 << 24) - 1;

    public InitiatorOptions {
        if (initiatorName == null || initiatorName.isEmpty() || initiatorName.length() > 223) {
            throw new IllegalArgumentException("initiator name must be 1..223 bytes");
        }
        headerDigests = List.copyOf(headerDigests);
        dataDigests = List.copyOf(dataDigests);
        if (headerDigests.isEmpty() || dataDigests.isEmpty()) {
            throw new IllegalArgumentException("offer at least one digest");
        }
        range("MaxRecvDataSegmentLength", maxRecvDataSegmentLength, 512, MAX_SEGMENT);
        range("MaxBurstLength", maxBurstLength, 512, MAX_SEGMENT);
        range("FirstBurstLength", firstBurstLength, 512, MAX_SEGMENT);
        range("MaxOutstandingR2T", maxOutstandingR2T, 1, 65535);
        range("DefaultTime2Wait", defaultTime2Wait, 0, 3600);
        range("DefaultTime2Retain", defaultTime2Retain, 0, 3600);
        if (connectTimeout.isNegative() || loginTimeout.isNegative() || commandTimeout.isNegative()
                || connectTimeout.isZero() || loginTimeout.isZero() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    private static void range(String key, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + " " + v + " is outside " + min + ".." + max);
        }
    }

    /** Sensible defaults: no digests, 256 KiB segments, 1 MiB bursts, immediate and unsolicited data offered. */
    public static InitiatorOptions defaults() {
        return new InitiatorOptions("iqn.2026-11.io.xtarget:initiator", List.of(Digest.NONE), List.of(Digest.NONE),
                262144, 1048576, 262144, true, false, 1, true, true, 2, 20, true, Duration.ofSeconds(10),
                Duration.ofSeconds(20), Duration.ofSeconds(60));
    }

    public InitiatorOptions withInitiatorName(String name) {
        return new InitiatorOptions(name, headerDigests, dataDigests, maxRecvDataSegmentLength, maxBurstLength,
                firstBurstLength, immediateData, initialR2T, maxOutstandingR2T, dataPduInOrder, dataSequenceInOrder,
                defaultTime2Wait, defaultTime2Retain, securityStage, connectTimeout, loginTimeout,
                commandTimeout, chap);
    }

    /** Offers exactly these digests (the login fails if the target refuses them). */
    public InitiatorOptions withDigests(Digest header, Digest data) {
        return withDigests(List.of(header), List.of(data));
    }

    public InitiatorOptions withDigests(List<Digest> header, List<Digest> data) {
        return new InitiatorOptions(initiatorName, header, data, maxRecvDataSegmentLength, maxBurstLength,
                firstBurstLength, immediateData, initialR2T, maxOutstandingR2T, dataPduInOrder, dataSequenceInOrder,
                defaultTime2Wait, defaultTime2Retain, securityStage, connectTimeout, loginTimeout,
                commandTimeout, chap);
    }

    public InitiatorOptions withSegmentAndBursts(int maxRecvDataSegment, int maxBurst, int firstBurst) {
        return new InitiatorOptions(initiatorName, headerDigests, dataDigests, maxRecvDataSegment, maxBurst,
                firstBurst, immediateData, initialR2T, maxOutstandingR2T, dataPduInOrder, dataSequenceInOrder,
                defaultTime2Wait, defaultTime2Retain, securityStage, connectTimeout, loginTimeout,
                commandTimeout, chap);
    }

    public InitiatorOptions withUnsolicitedData(boolean immediate, boolean initialR2t) {
        return new InitiatorOptions(initiatorName, headerDigests, dataDigests, maxRecvDataSegmentLength,
                maxBurstLength, firstBurstLength, immediate, initialR2t, maxOutstandingR2T, dataPduInOrder,
                dataSequenceInOrder, defaultTime2Wait, defaultTime2Retain, securityStage, connectTimeout,
                loginTimeout, commandTimeout, chap);
    }

    public InitiatorOptions withMaxOutstandingR2T(int n) {
        return new InitiatorOptions(initiatorName, headerDigests, dataDigests, maxRecvDataSegmentLength,
                maxBurstLength, firstBurstLength, immediateData, initialR2T, n, dataPduInOrder, dataSequenceInOrder,
                defaultTime2Wait, defaultTime2Retain, securityStage, connectTimeout, loginTimeout,
                commandTimeout, chap);
    }

    public InitiatorOptions withSecurityStage(boolean security) {
        return new InitiatorOptions(initiatorName, headerDigests, dataDigests, maxRecvDataSegmentLength,
                maxBurstLength, firstBurstLength, immediateData, initialR2T, maxOutstandingR2T, dataPduInOrder,
                dataSequenceInOrder, defaultTime2Wait, defaultTime2Retain, security, connectTimeout, loginTimeout,
                commandTimeout, chap);
    }

    /** Authenticates to the target with CHAP (one-way); keeps a mutual pair set before. */
    public InitiatorOptions withChap(String user, String secret) {
        ChapSecrets c = chap == null ? new ChapSecrets(user, secret, null, null)
                : new ChapSecrets(user, secret, chap.mutualUser(), chap.mutualSecret());
        return withChapSecrets(c);
    }

    /**
     * Also asks the target to authenticate itself (mutual CHAP): the login fails unless the target
     * answers as {@code user} with a response made from {@code secret}. Needs {@link #withChap} first.
     */
    public InitiatorOptions withMutualChap(String user, String secret) {
        if (chap == null) {
            throw new IllegalStateException("mutual CHAP needs withChap(user, secret) first");
        }
        return withChapSecrets(new ChapSecrets(chap.user(), chap.secret(), user, secret));
    }

    /** These CHAP secrets, or none when {@code c} is null. */
    public InitiatorOptions withChapSecrets(ChapSecrets c) {
        return new InitiatorOptions(initiatorName, headerDigests, dataDigests, maxRecvDataSegmentLength,
                maxBurstLength, firstBurstLength, immediateData, initialR2T, maxOutstandingR2T, dataPduInOrder,
                dataSequenceInOrder, defaultTime2Wait, defaultTime2Retain, securityStage, connectTimeout,
                loginTimeout, commandTimeout, c);
    }

    public InitiatorOptions withTimeouts(Duration connect, Duration login, Duration command) {
        return new InitiatorOptions(initiatorName, headerDigests, dataDigests, maxRecvDataSegmentLength,
                maxBurstLength, firstBurstLength, immediateData, initialR2T, maxOutstandingR2T, dataPduInOrder,
                dataSequenceInOrder, defaultTime2Wait, defaultTime2Retain, securityStage, connect, login, command,
                chap);
    }
}
