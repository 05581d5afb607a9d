package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.iscsi.IscsiPorts;
import org.junit.jupiter.api.Test;

class MediumTest {
    private final TargetPort port = IscsiPorts.targetPort("iqn.2026-01.io.xtarget:t", 1, 1, 1, "127.0.0.1:3260");
    private final Nexus a = IscsiPorts.nexus("iqn.2026-01.org.example:a", 1, port);
    private final Nexus b = IscsiPorts.nexus("iqn.2026-01.org.example:b", 2, port);

    @Test
    void preventionIsPerNexusAndHoldsWhileAnyNexusPrevents() {
        Medium m = new Medium(true);
        m.setPrevent(a, true);
        m.setPrevent(b, true);
        m.setPrevent(a, false);
        assertThat(m.prevented()).isTrue();
        assertThat(m.preventedBy(a)).isFalse();
        assertThat(m.preventedBy(b)).isTrue();
        assertThat(m.eject()).isFalse();
        assertThat(m.present()).isTrue();
        m.setPrevent(b, false);
        assertThat(m.prevented()).isFalse();
        assertThat(m.eject()).isTrue();
        assertThat(m.present()).isFalse();
    }

    @Test
    void nexusLossEndsOnlyThatNexussPrevention() {
        Medium m = new Medium(true);
        m.setPrevent(a, true);
        m.setPrevent(b, true);
        // an equal Nexus value (same initiator port, same target port) is the same I_T nexus
        m.nexusLost(IscsiPorts.nexus("iqn.2026-01.org.example:a", 1, port));
        assertThat(m.preventedBy(a)).isFalse();
        assertThat(m.prevented()).isTrue();
        m.nexusLost(b);
        assertThat(m.prevented()).isFalse();
    }

    @Test
    void resetEndsEveryPreventionAndKeepsTheMediumWhereItIs() {
        Medium m = new Medium(true);
        assertThat(m.eject()).isTrue();
        m.setPrevent(a, true);
        m.setPrevent(b, true);
        m.clearPreventions();
        assertThat(m.prevented()).isFalse();
        assertThat(m.present()).isFalse();
    }

    @Test
    void loadIsRefusedWhilePreventedAndReportsWhetherItChangedAnything() {
        Medium m = new Medium(true);
        assertThat(m.load()).isZero(); // already loaded
        assertThat(m.eject()).isTrue();
        assertThat(m.eject()).isTrue(); // ejecting an empty drive is fine
        m.setPrevent(a, true);
        assertThat(m.load()).isEqualTo(-1);
        assertThat(m.present()).isFalse();
        m.setPrevent(a, false);
        assertThat(m.load()).isEqualTo(1);
        assertThat(m.present()).isTrue();
    }

    @Test
    void aFixedMediumIsAlwaysPresentButStillRecordsPrevention() {
        Medium m = new Medium(false);
        assertThat(m.removable()).isFalse();
        assertThat(m.present()).isTrue();
        m.setPrevent(a, true);
        assertThat(m.prevented()).isTrue();
        assertThatThrownBy(m::eject).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(m::load).isInstanceOf(IllegalStateException.class);
    }
}
