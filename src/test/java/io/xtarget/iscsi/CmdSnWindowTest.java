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
}
