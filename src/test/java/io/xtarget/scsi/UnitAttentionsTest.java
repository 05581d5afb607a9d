package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnitAttentionsTest {

    @Test
    void newPortsSeePowerOnOnceThenEstablishedConditionsInOrder() {
        UnitAttentions ua = new UnitAttentions(true);
        assertThat(ua.poll("a")).isEqualTo(UnitAttentions.POWER_ON);
        assertThat(ua.poll("a")).isNull();
        ua.poll("b");
        ua.establishForAll(UnitAttentions.MODE_PARAMETERS_CHANGED, "a");
        assertThat(ua.poll("a")).isNull();
        assertThat(ua.poll("b")).isEqualTo(UnitAttentions.MODE_PARAMETERS_CHANGED);
    }

    @Test
    void rememberedPortsAreBoundedButPendingConditionsAreKept() {
        UnitAttentions ua = new UnitAttentions(true);
        ua.poll("keeper");
        ua.establish("keeper", UnitAttentions.LUN_RESET);
        for (int i = 0; i < UnitAttentions.MAX_PORTS * 3; i++) {
            ua.poll("port" + i); // drains its POWER ON: nothing pending, so it may be forgotten
        }
        assertThat(ua.poll("keeper")).isEqualTo(UnitAttentions.LUN_RESET);
        assertThat(ua.poll("port0")).isEqualTo(UnitAttentions.POWER_ON); // forgotten, so new again
    }
}
