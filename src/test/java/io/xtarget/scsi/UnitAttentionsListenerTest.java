package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fabric's ear on unit attentions ({@link UnitAttentions#listen}). */
class UnitAttentionsListenerTest {
    static Nexus nexus(String name) {
        TargetPort tp = new TargetPort("t", "t,t,0x1", new TransportProtocol(6, 0x0BE0), 1, 1, null, 1);
        return new Nexus(new InitiatorPort(name, name + ",i", new byte[24]), tp);
    }

    @Test
    void toldOfEachConditionQueuedForItsNexusOnce() {
        UnitAttentions ua = new UnitAttentions(false);
        Nexus a = nexus("a");
        Nexus b = nexus("b");
        ua.attach(a);
        ua.attach(b);
        List<String> heard = new ArrayList<>();
        UnitAttentions.Listener l = (n, s) -> heard.add(n.initiator().name() + " " + Integer.toHexString(s.asc()));
        ua.listen(a, l);
        ua.establish(a, UnitAttentions.CAPACITY_CHANGED);
        ua.establish(a, UnitAttentions.CAPACITY_CHANGED); // already pending: nothing new
        ua.establish(b, UnitAttentions.CAPACITY_CHANGED); // another nexus, no listener
        ua.establishForAll(UnitAttentions.MODE_PARAMETERS_CHANGED, null);
        ua.establishForAll(UnitAttentions.LUN_RESET, a); // a excepted
        assertThat(heard).containsExactly("a 2a", "a 2a");
        assertThat(ua.poll(a)).isEqualTo(UnitAttentions.CAPACITY_CHANGED); // the conditions stay pending
        ua.unlisten(a, (n, s) -> { }); // not its listener: no effect
        ua.establish(a, UnitAttentions.LUN_RESET);
        assertThat(heard).hasSize(3);
        ua.unlisten(a, l);
        ua.establish(a, UnitAttentions.BUS_RESET);
        assertThat(heard).hasSize(3);
    }

    @Test
    void aListenerMayQueueAnotherConditionWithoutDeadlock() {
        UnitAttentions ua = new UnitAttentions(false);
        Nexus a = nexus("a");
        ua.listen(a, (n, s) -> {
            if (s.equals(UnitAttentions.CAPACITY_CHANGED)) {
                ua.establish(n, UnitAttentions.MODE_PARAMETERS_CHANGED); // called without the LU's lock
            }
        });
        ua.establish(a, UnitAttentions.CAPACITY_CHANGED);
        assertThat(ua.poll(a)).isEqualTo(UnitAttentions.CAPACITY_CHANGED);
        assertThat(ua.poll(a)).isEqualTo(UnitAttentions.MODE_PARAMETERS_CHANGED);
    }
}
