package io.xtarget.iscsi;

import io.xtarget.scsi.CopyReachability;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every live session, by TSIH and by initiator port + target, so a new login with the same ISID
 * reinstates (replaces) the old session (RFC 7143 6.3.5).
 */
final class SessionRegistry {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    private static final long REINSTATE_WAIT_SECONDS = 10;

    private final Map<Integer, Session> byTsih = new HashMap<>();
    private final Map<String, Session> byKey = new HashMap<>();
    private int nextTsih = 1;
    /** The fabric's copy reachability rule, handed to the core with every nexus. */
    private final CopyReachability copyReachability;

    SessionRegistry(CopyReachability copyReachability) {
        this.copyReachability = copyReachability;
    }

    synchronized boolean exists(int tsih) {
        return byTsih.containsKey(tsih);
    }

    Session establish(boolean discovery, String initiatorName, long isid, Target target, TargetPort port, LunMap lunMap,
            SessionParams params, int initialCmdSn) {
        Session old;
        Session s;
        synchronized (this) {
            int tsih;
            do {
                tsih = nextTsih;
                nextTsih = (nextTsih & 0xFFFF) == 0xFFFF ? 1 : nextTsih + 1;
            } while (byTsih.containsKey(tsih));
            Nexus nexus = port == null ? null
                    : new Nexus(IscsiPorts.initiatorPort(initiatorName, isid), port, copyReachability);
            s = new Session(tsih, discovery, initiatorName, isid, target, nexus, lunMap, params, initialCmdSn);
            old = discovery ? null : byKey.put(s.key(), s);
            if (old != null) {
                byTsih.remove(old.tsih);
            }
            byTsih.put(tsih, s);
        }
        if (old != null) {
            log.info("reinstating {}: closing the older session", old);
            // Written before old.connection is read, while the older login writes its connection
            // before reading this flag: whichever comes second sees the other, so an older session
            // still in its login either is closed here or closes itself (Connection.startFullFeature).
            old.superseded = true;
            Connection c = old.connection;
            if (c != null) {
                c.terminate("session reinstated");
                // The old I_T nexus must be gone (its tasks aborted, SAM-5 6.3.4) before the same
                // nexus forms again, or its loss would reach the new session's tasks.
                if (!c.awaitClosed(REINSTATE_WAIT_SECONDS)) {
                    log.warn("{}: the older session did not close within {} s", old, REINSTATE_WAIT_SECONDS);
                }
            }
        }
        return s;
    }

    synchronized void remove(Session s) {
        byTsih.remove(s.tsih, s);
        byKey.remove(s.key(), s);
    }

    synchronized List<Session> all() {
        return new ArrayList<>(byTsih.values());
    }
}
