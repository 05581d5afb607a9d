package io.xtarget.iscsi;

import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.UnitAttentions;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a change of the configuration (or a TARGET COLD RESET) does to the sessions already logged
 * in: each moves to its target's new LUN map or is closed, discovery sessions are closed when
 * discovery authentication changed, a cold-reset target's sessions are dropped.
 */
final class SessionsOnReload {
    private static final Logger log = LoggerFactory.getLogger(IscsiServer.class);

    private final ScsiCore core;
    private final Supplier<List<Connection>> connections;

    SessionsOnReload(ScsiCore core, Supplier<List<Connection>> connections) {
        this.core = core;
        this.connections = connections;
    }

    /**
     * The core's targets were replaced (config reload): every normal session moves to its
     * target's new LUN map for its initiator. A session whose target is gone or whose initiator
     * is no longer admitted is dropped; one whose LUN inventory changed gets REPORTED LUNS DATA
     * HAS CHANGED (3F/0E) on each LU it can now address (SPC-4 5.14, SAM-5 5.14). A changed reset
     * grant applies to the next task management request, with no unit attention.
     */
    void targetsChanged() {
        for (Connection c : connections.get()) {
            Session s = c.session();
            if (s == null || s.discovery) {
                continue;
            }
            Target now = core.target(s.target.name());
            LunMap map = now == null ? null : now.lunMapFor(s.initiatorName);
            if (map == null) {
                log.info("reload: {} no longer has access; closing it", s);
                c.terminate("access removed by a config reload");
                continue;
            }
            s.target = now;
            LunMap before = s.lunMap;
            s.lunMap = map; // also when only the grant changed (e.g. the ACL's "resets")
            if (!map.sameMappings(before)) {
                core.nexusRemapped(s.nexus, before, map);
                for (LunMapping m : map.mappings()) {
                    m.unit().unitAttentions().establish(s.nexus,
                            UnitAttentions.LUN_INVENTORY_CHANGED);
                }
                log.info("reload: {} now sees {} LUN(s)", s, map.mappings().size());
            }
            if (!Objects.equals(map.resets(), before.resets())) {
                log.info("reload: {} resets now {}", s, map.resets() == null ? "by the default rule"
                        : map.resets() ? "allowed" : "refused");
            }
        }
    }

    /** Discovery authentication changed: open discovery sessions are closed (the next login is judged anew). */
    void discoveryAuthChanged() {
        for (Connection c : connections.get()) {
            Session s = c.session();
            if (s != null && s.discovery) {
                log.info("reload: discovery authentication changed; closing {}", s);
                c.terminate("discovery authentication changed by a config reload");
            }
        }
    }

    /** TARGET COLD RESET: every session of the target is dropped (RFC 7143 11.5.1). */
    void dropSessionsOf(Target target) {
        for (Connection c : connections.get()) {
            Session s = c.session();
            if (s != null && s.target == target) {
                c.terminate("target cold reset");
            }
        }
    }
}
