package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CmdSnWindowTest {

    @Test
    void deliversInCmdSnOrderAndDropsOutsideTheWindow() {
        CmdSnWindow w = new CmdSnWindow(10, 4);
        List<Integer> order = new ArrayList<>();
        assertThat(w.maxCmdSn()).isEqualTo(13);
        assertThat(w.accept(12, () -> order.add(12))).isTrue(); // held: 10 and 11 missing
        assertThat(w.accept(11, () -> order.add(11))).isTrue();
        assertThat(order).isEmpty();
        assertThat(w.accept(10, () -> order.add(10))).isTrue();
        assertThat(order).containsExactly(10, 11, 12);
        assertThat(w.expCmdSn()).isEqualTo(13);
        // three in flight: only one slot left, so MaxCmdSN == ExpCmdSN
        assertThat(w.maxCmdSn()).isEqualTo(13);
        assertThat(w.accept(14, () -> order.add(14))).isFalse(); // beyond MaxCmdSN
        assertThat(w.accept(9, () -> order.add(9))).isFalse(); // already received
        w.completed();
        w.completed();
        assertThat(w.maxCmdSn()).isEqualTo(15);
        assertThat(w.alreadyReceived(12)).isTrue();
        assertThat(w.alreadyReceived(13)).isFalse();
    }

    @Test
    void windowWrapsAroundTheSerialNumberSpace() {
        CmdSnWindow w = new CmdSnWindow(-2, 8); // 0xFFFFFFFE
        List<Integer> order = new ArrayList<>();
        assertThat(w.accept(0, () -> order.add(0))).isTrue();
        assertThat(w.accept(-2, () -> order.add(-2))).isTrue();
        assertThat(w.accept(-1, () -> order.add(-1))).isTrue();
        assertThat(order).containsExactly(-2, -1, 0);
        assertThat(w.expCmdSn()).isEqualTo(1);
    }

    @Test
    void commandsUpToTheAdvertisedMaxCmdSnAreAcceptedWhateverTheirArrivalOrder() {
        // RFC 7143 4.2.2.1: the initiator never lowers its MaxCmdSN, so the target must take every
        // CmdSN up to the MaxCmdSN it sent, and held out-of-order commands must not shrink it
        CmdSnWindow w = new CmdSnWindow(10, 4);
        List<Integer> order = new ArrayList<>();
        assertThat(w.maxCmdSn()).isEqualTo(13);
        assertThat(w.accept(11, () -> order.add(11))).isTrue(); // 10 is late
        assertThat(w.accept(12, () -> order.add(12))).isTrue();
        assertThat(w.accept(13, () -> order.add(13))).as("CmdSN 13 <= the MaxCmdSN sent").isTrue();
        assertThat(w.maxCmdSn()).isEqualTo(13);
        assertThat(order).isEmpty();
        assertThat(w.accept(10, () -> order.add(10))).isTrue();
        assertThat(order).containsExactly(10, 11, 12, 13);
        assertThat(w.maxCmdSn()).isEqualTo(13); // all four in flight: the window is closed
        w.completed();
        assertThat(w.maxCmdSn()).isEqualTo(14);
    }

    @Test
    void maxCmdSnNeverDecreases() {
        // RFC 7143 4.2.2.1: a MaxCmdSN below the initiator's is ignored, so it must never go down
        java.util.Random rnd = new java.util.Random(1982);
        CmdSnWindow w = new CmdSnWindow(0, 16);
        int last = w.maxCmdSn();
        int inFlight = 0;
        for (int i = 0; i < 5000; i++) {
            int op = rnd.nextInt(3);
            if (op == 0) {
                int[] delivered = new int[1];
                w.accept(w.expCmdSn() + rnd.nextInt(20) - 2, () -> delivered[0]++);
                inFlight += delivered[0];
            } else if (op == 1 && inFlight > 0) {
                w.completed();
                inFlight--;
            } else {
                w.considerReceived(w.expCmdSn() + rnd.nextInt(8), w.expCmdSn() + rnd.nextInt(16));
            }
            assertThat(w.maxCmdSn() - last).isGreaterThanOrEqualTo(0);
            assertThat(w.maxCmdSn() - w.expCmdSn()).isGreaterThanOrEqualTo(-1);
            last = w.maxCmdSn();
        }
    }

    @Test
    void aCmdSnConsideredReceivedLetsTheCommandsAfterItRun() {
        // RFC 7143 11.5.1: ABORT TASK for a CmdSN in the window below its own: consider it received
        CmdSnWindow w = new CmdSnWindow(10, 8);
        List<Integer> order = new ArrayList<>();
        assertThat(w.accept(11, () -> order.add(11))).isTrue();
        assertThat(order).isEmpty();
        assertThat(w.considerReceived(10, 12)).isTrue();
        assertThat(order).containsExactly(11);
        assertThat(w.expCmdSn()).isEqualTo(12);
        assertThat(w.alreadyReceived(10)).isTrue();
        assertThat(w.accept(10, () -> order.add(10))).isFalse(); // a late arrival is dropped
        assertThat(order).containsExactly(11);
    }

    @Test
    void aCmdSnConsideredReceivedAheadOfAGapWaitsItsTurnAndTakesNoSlot() {
        // RFC 7143 11.5.1, 4.2.2.1: ExpCmdSN moves past it once every earlier CmdSN is in
        CmdSnWindow w = new CmdSnWindow(10, 8);
        List<Integer> order = new ArrayList<>();
        assertThat(w.accept(12, () -> order.add(12))).isTrue();
        assertThat(w.considerReceived(11, 13)).isTrue();
        assertThat(w.expCmdSn()).isEqualTo(10); // 10 is still missing
        assertThat(w.accept(11, () -> order.add(11))).isFalse(); // the lost CmdSN arriving late
        assertThat(w.accept(10, () -> order.add(10))).isTrue();
        assertThat(order).containsExactly(10, 12);
        assertThat(w.expCmdSn()).isEqualTo(13);
        assertThat(w.maxCmdSn()).isEqualTo(13 + 8 - 2 - 1); // two in flight; the lost one holds nothing
    }

    @Test
    void considerReceivedIsRefusedOutsideTheWindowForWaitingOrNotEarlierCmdSns() {
        // RFC 7143 11.5.1: only a CmdSN in the window, not received, and below the request's CmdSN
        CmdSnWindow w = new CmdSnWindow(10, 4);
        assertThat(w.considerReceived(9, 12)).isFalse(); // already received
        assertThat(w.considerReceived(14, 20)).isFalse(); // beyond MaxCmdSN 13
        assertThat(w.accept(11, () -> {})).isTrue();
        assertThat(w.considerReceived(11, 12)).isFalse(); // it arrived and waits for 10
        assertThat(w.considerReceived(12, 12)).isFalse(); // not below the request's own CmdSN
        assertThat(w.considerReceived(13, 12)).isFalse();
        assertThat(w.expCmdSn()).isEqualTo(10);
    }

    @Test
    void considerReceivedUsesSerialNumberArithmeticAcrossTheWrap() {
        // RFC 7143 4.2.2.1 / RFC 1982: comparisons wrap at 2^32
        CmdSnWindow w = new CmdSnWindow(-1, 8); // ExpCmdSN 0xFFFFFFFF
        List<Integer> order = new ArrayList<>();
        assertThat(w.accept(0, () -> order.add(0))).isTrue();
        assertThat(w.considerReceived(0, -1)).isFalse(); // 0 is after 0xFFFFFFFF
        assertThat(w.considerReceived(-1, 1)).isTrue(); // 0xFFFFFFFF is before 1
        assertThat(order).containsExactly(0);
        assertThat(w.expCmdSn()).isEqualTo(1);
        assertThat(w.alreadyReceived(-1)).isTrue();
        assertThat(w.alreadyReceived(1)).isFalse();
    }

    @Test
    void immediateCommandsAreBoundedSeparatelyFromTheWindow() {
        // RFC 7143 11.17.1: too many immediate commands are rejected with reason 06h
        CmdSnWindow w = new CmdSnWindow(1, 4, 2);
        assertThat(w.tryImmediate()).isTrue();
        assertThat(w.tryImmediate()).isTrue();
        assertThat(w.tryImmediate()).isFalse();
        assertThat(w.maxCmdSn()).isEqualTo(4); // immediate commands take no CmdSN slot
        w.immediateCompleted();
        assertThat(w.tryImmediate()).isTrue();
        assertThat(w.tryImmediate()).isFalse();
        w.immediateCompleted();
        w.immediateCompleted();
        w.immediateCompleted(); // one too many: the count does not go below zero
        assertThat(w.tryImmediate()).isTrue();
        assertThat(w.tryImmediate()).isTrue();
        assertThat(w.tryImmediate()).isFalse();
    }
}
