package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.IscsiPorts;
import org.junit.jupiter.api.Test;

class UnitAttentionsTest {
    private static final TargetPort PORT = IscsiPorts.targetPort("iqn.2026-11.io.xtarget:t", 1, 1, 1, "127.0.0.1:3260");

    private static Nexus nexus(String name) {
        return IscsiPorts.nexus("iqn.2026-11.org.example:" + name, 0x400000000001L, PORT);
    }

    @Test
    void newNexusesSeePowerOnOnceThenEstablishedConditionsInOrder() {
        UnitAttentions ua = new UnitAttentions(true);
        Nexus a = nexus("a");
        Nexus b = nexus("b");
        ua.attach(a);
        ua.attach(b);
        assertThat(ua.poll(a)).isEqualTo(UnitAttentions.POWER_ON);
        assertThat(ua.poll(a)).isNull();
        ua.poll(b);
        ua.establishForAll(UnitAttentions.MODE_PARAMETERS_CHANGED, a);
        assertThat(ua.poll(a)).isNull();
        assertThat(ua.poll(b)).isEqualTo(UnitAttentions.MODE_PARAMETERS_CHANGED);
    }

    @Test
    void conditionsForEveryNexusReachOnlyThoseAttachedAtThatMoment() {
        UnitAttentions ua = new UnitAttentions(false);
        Nexus before = nexus("before");
        Nexus gone = nexus("gone");
        Nexus later = nexus("later");
        ua.attach(before);
        ua.attach(gone);
        ua.detach(gone);
        ua.establishForAll(UnitAttentions.LUN_RESET, null); // SAM-5 6.3.3: every I_T nexus that exists now
        ua.attach(later);
        assertThat(ua.poll(before)).isEqualTo(UnitAttentions.LUN_RESET);
        assertThat(ua.poll(gone)).isNull();
        assertThat(ua.poll(later)).isNull();
    }

    @Test
    void rememberedNexusesAreBoundedButPendingConditionsAreKept() {
        UnitAttentions ua = new UnitAttentions(true);
        Nexus keeper = nexus("keeper");
        ua.poll(keeper);
        ua.establish(keeper, UnitAttentions.LUN_RESET);
        for (int i = 0; i < UnitAttentions.MAX_PORTS * 3; i++) {
            ua.poll(nexus("port" + i)); // drains its POWER ON: nothing pending, so it may be forgotten
        }
        assertThat(ua.poll(keeper)).isEqualTo(UnitAttentions.LUN_RESET);
        assertThat(ua.poll(nexus("port0"))).isEqualTo(UnitAttentions.POWER_ON); // forgotten, so new again
    }
}
