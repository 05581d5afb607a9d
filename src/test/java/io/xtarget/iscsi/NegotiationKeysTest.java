package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.iscsi.NegotiationKey.Kind;
import io.xtarget.iscsi.NegotiationKey.Phase;
import io.xtarget.iscsi.NegotiationKey.Sender;
import io.xtarget.iscsi.NegotiationKey.Use;
import io.xtarget.iscsi.NegotiationKeys.Verdict;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The key table itself: its rows against RFC 7143 12 and 13, value domains, result functions, verdicts. */
class NegotiationKeysTest {
    static final Set<String> LEADING_ONLY = Set.of("SessionType", "MaxConnections", "InitialR2T", "ImmediateData",
            "MaxBurstLength", "FirstBurstLength", "MaxOutstandingR2T", "DataPDUInOrder", "DataSequenceInOrder",
            "ErrorRecoveryLevel", "DefaultTime2Wait", "DefaultTime2Retain", "TaskReporting", "iSCSIProtocolLevel",
            "X#NodeArchitecture");
    static final Set<String> IRRELEVANT_FOR_DISCOVERY = Set.of("MaxConnections", "InitialR2T", "ImmediateData",
            "MaxBurstLength", "FirstBurstLength", "MaxOutstandingR2T", "DataPDUInOrder", "DataSequenceInOrder",
            "TaskReporting", "iSCSIProtocolLevel");
    static final Set<String> DECLARATIVE = Set.of("InitiatorName", "TargetName", "SessionType", "InitiatorAlias",
            "TargetAlias", "TargetAddress", "TargetPortalGroupTag", "X#NodeArchitecture", "MaxRecvDataSegmentLength",
            "SendTargets", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R");
    static final Set<String> SECURITY = Set.of("AuthMethod", "CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R");
    static final Set<String> ANY_STAGE = Set.of("InitiatorName", "TargetName", "SessionType", "InitiatorAlias",
            "TargetAlias", "TargetAddress", "TargetPortalGroupTag", "X#NodeArchitecture");
    static final Set<String> ALLOWED_IN_FULL_FEATURE = Set.of("InitiatorAlias", "TargetAlias", "TargetAddress",
            "MaxRecvDataSegmentLength", "SendTargets");

    private static Set<String> names(java.util.function.Predicate<NegotiationKey> p) {
        return NegotiationKeys.all().stream().filter(p).map(NegotiationKey::name).collect(Collectors.toSet());
    }

    @Test
    void theTableHoldsEveryKeyOfRfc7143() {
        assertThat(names(k -> true)).containsExactlyInAnyOrder("AuthMethod", "CHAP_A", "CHAP_I", "CHAP_C",
                "CHAP_N", "CHAP_R", "HeaderDigest", "DataDigest", "MaxConnections", "SendTargets", "TargetName",
                "InitiatorName", "TargetAlias", "InitiatorAlias", "TargetAddress", "TargetPortalGroupTag",
                "InitialR2T", "ImmediateData", "MaxRecvDataSegmentLength", "MaxBurstLength", "FirstBurstLength",
                "DefaultTime2Wait", "DefaultTime2Retain", "MaxOutstandingR2T", "DataPDUInOrder",
                "DataSequenceInOrder", "ErrorRecoveryLevel", "SessionType", "TaskReporting", "iSCSIProtocolLevel",
                "IFMarker", "OFMarker", "IFMarkInt", "OFMarkInt", "X#NodeArchitecture");
        assertThat(NegotiationKeys.lookup("NoSuchKey")).isNull();
        assertThat(NegotiationKeys.lookup("headerdigest")).as("keys are case sensitive (6.1)").isNull();
    }

    @Test
    void kindsSendersUsesAndDiscoveryIrrelevanceFollowTheRfc() {
        assertThat(names(k -> k.kind() == Kind.DECLARATIVE)).isEqualTo(DECLARATIVE);
        assertThat(names(NegotiationKey::leadingOnly)).isEqualTo(LEADING_ONLY);
        assertThat(names(NegotiationKey::irrelevantInDiscovery)).isEqualTo(IRRELEVANT_FOR_DISCOVERY);
        assertThat(names(k -> k.sender() == Sender.TARGET)).containsExactlyInAnyOrder("TargetAlias", "TargetAddress",
                "TargetPortalGroupTag");
        assertThat(names(k -> k.sender() == Sender.INITIATOR)).containsExactlyInAnyOrder("InitiatorName",
                "InitiatorAlias", "SessionType", "SendTargets");
        assertThat(names(k -> k.use() == Use.FFPO)).containsExactly("SendTargets");
        assertThat(names(k -> k.use() == Use.ALL)).containsExactlyInAnyOrder("InitiatorAlias", "TargetAlias",
                "TargetAddress", "MaxRecvDataSegmentLength");
    }

    @Test
    void phasesFollowUseAndStage() {
        assertThat(names(NegotiationKey::securityOnly)).isEqualTo(SECURITY);
        assertThat(names(k -> k.phases().contains(Phase.SECURITY))).isEqualTo(union(SECURITY, ANY_STAGE));
        assertThat(names(k -> k.phases().contains(Phase.FULL_FEATURE))).isEqualTo(ALLOWED_IN_FULL_FEATURE);
        assertThat(names(k -> !k.phases().contains(Phase.OPERATIONAL))).isEqualTo(union(SECURITY,
                Set.of("SendTargets")));
        assertThatThrownBy(() -> NegotiationKeys.lookup("HeaderDigest").phases().add(Phase.SECURITY))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }

    @Test
    void everyNegotiatedKeyHasATargetChoiceItsValuesAdmit() {
        for (NegotiationKey k : NegotiationKeys.all()) {
            if (k.kind() == Kind.DECLARATIVE || k.name().equals("AuthMethod")) {
                assertThat(k.preferred()).as(k.name()).isNull();
                continue;
            }
            assertThat(k.preferred()).as(k.name()).isNotNull();
            if (k.result() != ResultFunction.FIXED && k.result() != ResultFunction.LIST) {
                assertThat(k.values().admits(k.preferred())).as(k.name()).isTrue();
            }
        }
        for (NegotiationKey k : NegotiationKeys.all()) {
            assertThat(k.section()).as(k.name()).matches("1[23](\\.\\d+)+");
        }
    }

    @Test
    void numericalValuesAreDecimalOrHexConstants() {
        KeyValues.Numeric range = new KeyValues.Numeric(512, 16777215);
        assertThat(KeyValues.number("512", 512, 1000)).isEqualTo(512);
        assertThat(KeyValues.number("0x200", 512, 1000)).isEqualTo(512);
        assertThat(KeyValues.number("0XfF", 0, 1000)).isEqualTo(255);
        assertThat(KeyValues.number("0", 0, 1)).isZero();
        for (String bad : List.of("511", "16777216", "-1", "+512", " 512", "512 ", "0512", "0x", "0xg1", "1e3", "",
                "99999999999999999999999", "0x1000000", "٥١٢", "５１２")) {
            assertThat(range.admits(bad)).as(bad).isFalse();
        }
        assertThat(range.admits("16777215")).isTrue();
        assertThat(range.admits("0xFFFFFF")).isTrue();
        assertThat(KeyValues.decimal("0080", 0, 65535)).as("ports keep leading zeros").isEqualTo(80);
        assertThat(KeyValues.decimal("0x50", 0, 65535)).isNull();
        assertThat(KeyValues.decimal("65536", 0, 65535)).isNull();
    }

    @Test
    void otherValueDomains() {
        KeyValues bool = new KeyValues.Bool();
        assertThat(bool.admits("Yes")).isTrue();
        assertThat(bool.admits("No")).isTrue();
        assertThat(bool.admits("yes")).as("case sensitive").isFalse();
        assertThat(bool.admits("")).isFalse();
        KeyValues list = new KeyValues.ListOf();
        assertThat(list.admits("CRC32C,None")).isTrue();
        assertThat(list.admits("Whatever")).as("unknown items are not an error (6.2.1)").isTrue();
        assertThat(list.admits("")).isFalse();
        assertThat(list.admits("CRC32C,,None")).isFalse();
        assertThat(list.admits("None,")).isFalse();
        assertThat(list.admits("x".repeat(256))).isFalse();
        KeyValues text = new KeyValues.Text(KeyValues.SIMPLE_VALUE);
        assertThat(text.admits("a".repeat(255))).isTrue();
        assertThat(text.admits("a".repeat(256))).isFalse();
        assertThat(text.admits("é".repeat(128))).as("bytes, not characters").isFalse();
        assertThat(NegotiationKeys.lookup("SessionType").values().admits("Discovery")).isTrue();
        assertThat(NegotiationKeys.lookup("SessionType").values().admits("discovery")).isFalse();
        assertThat(NegotiationKeys.lookup("InitiatorName").values().admits("i".repeat(224))).isFalse();
    }

    @Test
    void resultFunctions() {
        assertThat(ResultFunction.MIN.select("65536", "16776192")).isEqualTo("65536");
        assertThat(ResultFunction.MIN.select("16777215", "16776192")).isEqualTo("16776192");
        assertThat(ResultFunction.MIN.select("0x100", "1000")).isEqualTo("256");
        assertThat(ResultFunction.MAX.select("0", "2")).isEqualTo("2");
        assertThat(ResultFunction.MAX.select("3600", "2")).isEqualTo("3600");
        String[][] and = {{"Yes", "Yes", "Yes"}, {"Yes", "No", "No"}, {"No", "Yes", "No"}, {"No", "No", "No"}};
        String[][] or = {{"Yes", "Yes", "Yes"}, {"Yes", "No", "Yes"}, {"No", "Yes", "Yes"}, {"No", "No", "No"}};
        for (String[] row : and) {
            assertThat(ResultFunction.AND.select(row[0], row[1])).isEqualTo(row[2]);
        }
        for (String[] row : or) {
            assertThat(ResultFunction.OR.select(row[0], row[1])).isEqualTo(row[2]);
        }
        assertThat(ResultFunction.LIST.select("None,CRC32C", "CRC32C,None")).as("offerer's order").isEqualTo("None");
        assertThat(ResultFunction.LIST.select("MD5,CRC32C", "CRC32C,None")).isEqualTo("CRC32C");
        assertThat(ResultFunction.LIST.select("MD5,SHA1", "CRC32C,None")).isEqualTo("Reject");
        assertThat(ResultFunction.FIXED.select("Yes", "No")).isEqualTo("No");
        assertThat(ResultFunction.DECLARATIVE.select("4096", null)).isNull();
    }

    @Test
    void verdictsForUnknownWrongSenderAndReservedValues() {
        assertThat(classify("X-com.example.Key", "1", Phase.OPERATIONAL)).isEqualTo(Verdict.UNKNOWN);
        assertThat(classify("X#Unregistered", "1", Phase.OPERATIONAL)).isEqualTo(Verdict.UNKNOWN);
        assertThat(classify("MaxBurstLength2", "1", Phase.OPERATIONAL)).isEqualTo(Verdict.UNKNOWN);
        for (String k : List.of("TargetAlias", "TargetAddress", "TargetPortalGroupTag")) {
            for (Phase p : Phase.values()) {
                assertThat(classify(k, "1", p)).as(k + " " + p).isEqualTo(Verdict.WRONG_SENDER);
            }
        }
        for (String v : List.of("Reject", "Irrelevant", "NotUnderstood")) {
            assertThat(classify("HeaderDigest", v, Phase.OPERATIONAL)).isEqualTo(Verdict.RESERVED_VALUE);
            assertThat(classify("MaxRecvDataSegmentLength", v, Phase.FULL_FEATURE)).isEqualTo(Verdict.RESERVED_VALUE);
            assertThat(classify("X-vendor", v, Phase.OPERATIONAL)).isEqualTo(Verdict.UNKNOWN);
        }
    }

    @Test
    void verdictsForPhases() {
        for (NegotiationKey k : NegotiationKeys.all()) {
            if (k.sender() == Sender.TARGET) {
                continue;
            }
            String v = validValue(k);
            for (Phase p : Phase.values()) {
                Verdict expected = k.phases().contains(p) ? Verdict.OK : Verdict.WRONG_PHASE;
                assertThat(classify(k.name(), v, p)).as(k.name() + " in " + p).isEqualTo(expected);
            }
        }
    }

    @Test
    void leadingOnlyKeysAreIrrelevantOnOtherConnectionsAndSomeKeysInDiscovery() {
        for (NegotiationKey k : NegotiationKeys.all()) {
            if (k.sender() == Sender.TARGET || !k.phases().contains(Phase.OPERATIONAL)) {
                continue;
            }
            Verdict nonLeading = NegotiationKeys.classify(k.name(), validValue(k), Phase.OPERATIONAL, false, false);
            assertThat(nonLeading).as(k.name()).isEqualTo(k.leadingOnly() ? Verdict.IRRELEVANT : Verdict.OK);
            Verdict discovery = NegotiationKeys.classify(k.name(), validValue(k), Phase.OPERATIONAL, true, true);
            assertThat(discovery).as(k.name()).isEqualTo(k.irrelevantInDiscovery() ? Verdict.IRRELEVANT : Verdict.OK);
        }
    }

    @Test
    void verdictsForInvalidValues() {
        String[][] cases = {
            {"MaxRecvDataSegmentLength", "511"}, {"MaxRecvDataSegmentLength", "16777216"}, {"MaxBurstLength", "abc"},
            {"FirstBurstLength", ""}, {"MaxConnections", "0"}, {"MaxConnections", "65536"}, {"ErrorRecoveryLevel", "3"},
            {"DefaultTime2Wait", "3601"}, {"DefaultTime2Retain", "-1"}, {"MaxOutstandingR2T", "0"},
            {"iSCSIProtocolLevel", "32"}, {"InitialR2T", "yes"}, {"ImmediateData", "True"}, {"DataPDUInOrder", ""},
            {"DataSequenceInOrder", "1"}, {"HeaderDigest", ""}, {"DataDigest", "CRC32C,"}, {"TaskReporting", ","},
            {"SessionType", "Other"}, {"InitiatorAlias", "a".repeat(256)}, {"IFMarker", "Maybe"},
        };
        for (String[] c : cases) {
            assertThat(classify(c[0], c[1], Phase.OPERATIONAL)).as(c[0] + "=" + c[1]).isEqualTo(Verdict.INVALID_VALUE);
        }
    }

    private static Verdict classify(String name, String value, Phase phase) {
        return NegotiationKeys.classify(name, value, phase, true, false);
    }

    /** A value the key admits. */
    static String validValue(NegotiationKey k) {
        return switch (k.values()) {
            case KeyValues.Numeric n -> Integer.toString(n.max());
            case KeyValues.Bool b -> "Yes";
            case KeyValues.OneOf o -> o.literals().iterator().next();
            default -> k.preferred() != null && !k.preferred().equals("Reject") ? k.preferred() : "value";
        };
    }
}
