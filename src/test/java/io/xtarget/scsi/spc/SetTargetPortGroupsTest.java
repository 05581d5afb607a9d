package io.xtarget.scsi.spc;

import static io.xtarget.scsi.spc.CoreFixture.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.StoreFencedException;
import io.xtarget.scsi.Alua;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SET TARGET PORT GROUPS ({@link SetTargetPortGroups}): on a gateway it takes the LU over or gives
 * it up through {@link Alua#setExplicitly}, with 2Ah/06h for every other nexus; unsupported states,
 * unknown groups and contradictory descriptors are INVALID FIELD IN PARAMETER LIST with a field
 * pointer and change nothing; a failed takeover is 67h/0Ah. INQUIRY reports TPGS 11b only where it
 * is supported. The fixture's own groups are 1 and 7, the peer's 9.
 */
class SetTargetPortGroupsTest {
    private static final int[] TUR = {0x00, 0, 0, 0, 0, 0};
    private final CoreFixture f = new CoreFixture();
    private final Alua alua = new Alua(List.of(new Alua.PeerGroup(9, List.of(20))));
    private final List<String> calls = new ArrayList<>();

    private static int[] stpg(int length) {
        return new int[] {0xA4, 0x0A, 0, 0, 0, 0, length >>> 24, (length >>> 16) & 0xFF, (length >>> 8) & 0xFF,
                length & 0xFF, 0, 0};
    }

    /** A parameter list: the 4-byte header, then {state, group} pairs. */
    private static byte[] list(int... stateGroup) {
        byte[] b = new byte[4 + stateGroup.length * 2];
        for (int i = 0; i < stateGroup.length; i += 2) {
            int at = 4 + i * 2;
            b[at] = (byte) stateGroup[i];
            b[at + 2] = (byte) (stateGroup[i + 1] >>> 8);
            b[at + 3] = (byte) stateGroup[i + 1];
        }
        return b;
    }

    private ScsiResult send(byte[] list) {
        return f.run(f.a, 0, stpg(list.length), list);
    }

    private static String sense(ScsiResult r) {
        return r.status() == ScsiStatus.GOOD ? "GOOD"
                : String.format("%x/%02x/%02x", r.sense().key(), r.sense().asc(), r.sense().ascq());
    }

    private void gateway(boolean optimized) {
        f.core.setAlua(alua);
        alua.setOptimized(f.lu, optimized);
        alua.setClaim(lu -> calls.add("claim " + lu.name()));
        alua.setRelease(lu -> calls.add("release " + lu.name()));
        f.run(f.a, TUR); // POWER ON
        f.run(f.b, TUR);
    }

    @Test
    void askingThisGatewaysGroupToBeOptimizedClaimsTheLuAndTellsTheOtherNexuses() {
        gateway(false);
        assertThat(sense(send(list(0x0, 1)))).isEqualTo("GOOD");
        assertThat(calls).containsExactly("claim disk0");
        assertThat(alua.optimized(f.lu)).isTrue();
        assertThat(sense(f.run(f.a, TUR))).as("the requester: no unit attention").isEqualTo("GOOD");
        assertThat(sense(f.run(f.b, TUR))).isEqualTo("6/2a/06");
        assertThat(sense(send(list(0x0, 1)))).as("already optimized: nothing to do").isEqualTo("GOOD");
        assertThat(calls).hasSize(1);
    }

    @Test
    void askingThePeerToBeOptimizedOrThisGatewayNonOptimizedGivesTheLuUp() {
        gateway(true);
        assertThat(sense(send(list(0x0, 9, 0x1, 1, 0x1, 7)))).isEqualTo("GOOD");
        assertThat(calls).containsExactly("release disk0");
        assertThat(alua.optimized(f.lu)).isFalse();
        assertThat(sense(f.run(f.b, TUR))).isEqualTo("6/2a/06");
        assertThat(sense(send(list(0x1, 9)))).as("the single peer non-optimized: this one optimized")
                .isEqualTo("GOOD");
        assertThat(calls).containsExactly("release disk0", "claim disk0");
    }

    @Test
    void unsupportedStatesUnknownGroupsAndContradictionsAreInvalidFieldsAndChangeNothing() {
        gateway(true);
        for (int state : new int[] {0x2, 0x3, 0xE, 0xF}) { // standby, unavailable, offline, transitioning
            ScsiResult r = send(list(state, 1));
            assertThat(sense(r)).isEqualTo("5/26/00");
            assertThat(r.sense().senseKeySpecific()).as("C/D=0, BPV, bit 3 of byte 4").isEqualTo(0x8B0004);
        }
        ScsiResult unknown = send(list(0x0, 1, 0x0, 5));
        assertThat(sense(unknown)).isEqualTo("5/26/00");
        assertThat(unknown.sense().senseKeySpecific()).as("bit 7 of byte 10").isEqualTo(0x8F000A);
        assertThat(sense(send(list(0x0, 1, 0x0, 9)))).as("both optimized").isEqualTo("5/26/00");
        assertThat(sense(send(new byte[] {0, 0, 0, 0, 0x10, 0, 0, 1}))).as("reserved bits").isEqualTo("5/26/00");
        assertThat(sense(send(new byte[6]))).as("a truncated descriptor").isEqualTo("5/1a/00");
        assertThat(sense(f.run(f.a, 0, stpg(0), null))).as("no list: nothing to do").isEqualTo("GOOD");
        assertThat(calls).isEmpty();
        assertThat(alua.optimized(f.lu)).isTrue();
    }

    @Test
    void aFailedClaimIsSetTargetPortGroupsCommandFailed() {
        gateway(false);
        alua.setClaim(lu -> {
            throw new StoreFencedException("fenced", StoreFencedException.Reason.BLOCKLISTED);
        });
        assertThat(sense(send(list(0x0, 1)))).isEqualTo("4/67/0a");
        assertThat(alua.optimized(f.lu)).isFalse();
        assertThat(sense(f.run(f.b, TUR))).isEqualTo("GOOD");
    }

    @Test
    void withoutAGatewayOnlyActiveOptimizedIsAcceptedAndInquiryReportsImplicitOnly() {
        assertThat(data(f.run(f.a, 0x12, 0, 0, 0, 96, 0))[5] & 0x30).isEqualTo(0x10);
        assertThat(sense(send(list(0x0, 1, 0x0, 7)))).isEqualTo("GOOD");
        assertThat(sense(send(list(0x1, 1)))).isEqualTo("5/26/00");
        gateway(true);
        assertThat(data(f.run(f.a, 0x12, 0, 0, 0, 96, 0))[5] & 0x30).as("TPGS 11b").isEqualTo(0x30);
    }
}
