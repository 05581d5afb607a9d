package io.xtarget.iscsi;

import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.Target;

/**
 * An iSCSI session: one I_T nexus (initiator name + ISID, target port), its LUN map, the agreed
 * parameters and the CmdSN window. MaxConnections is 1, so a session has exactly one connection.
 */
final class Session {
    /** Commands a session may have queued or running at once (the advertised CmdSN window). */
    static final int QUEUE_DEPTH = 128;
    /** Immediate commands (I bit) a session may have running at once, beyond the window. */
    static final int MAX_IMMEDIATE = 16;

    final int tsih;
    final boolean discovery;
    final String initiatorName;
    final long isid;
    /** Replaced when a config reload changes the target or this initiator's LUN map. */
    volatile Target target;
    final Nexus nexus;
    volatile LunMap lunMap;
    /** What the login agreed; replaced when the initiator declares a new value in full feature phase. */
    volatile SessionParams params;
    final CmdSnWindow window;
    volatile Connection connection;
    /** A newer login with the same ISID reinstated this session: it must not (or no longer) serve. */
    volatile boolean superseded;
    /** This session's share of the server's data budget; set when full feature phase starts. */
    DataBudget.Account account;

    Session(int tsih, boolean discovery, String initiatorName, long isid, Target target, Nexus nexus, LunMap lunMap,
            SessionParams params, int initialCmdSn) {
        this.tsih = tsih;
        this.discovery = discovery;
        this.initiatorName = initiatorName;
        this.isid = isid;
        this.target = target;
        this.nexus = nexus;
        this.lunMap = lunMap;
        this.params = params;
        this.window = new CmdSnWindow(initialCmdSn, QUEUE_DEPTH, MAX_IMMEDIATE);
    }

    /** Key under which session reinstatement finds an older session of the same initiator port. */
    String key() {
        return initiatorName + "|" + Long.toHexString(isid) + "|" + (target == null ? "" : target.name());
    }

    @Override
    public String toString() {
        return (discovery ? "discovery session " : "session ") + initiatorName + " isid 0x" + Long.toHexString(isid)
                + (target == null ? "" : " -> " + target.name()) + " tsih " + tsih;
    }
}
