package io.xtarget.scsi;

import java.util.HashSet;
import java.util.Set;

/**
 * The medium of a logical unit: whether it is removable (INQUIRY RMB), whether it is loaded, and
 * which I_T nexuses prevent its removal.
 *
 * <p>SPC-4 6.13 / SBC-3 5.13: prevention is kept per I_T nexus, and the medium may not be removed
 * while any nexus prevents it. A nexus's prevention ends when it sends PREVENT=0, and every
 * prevention ends on I_T nexus loss, logical unit reset and hard reset (SAM-5 6.3).
 *
 * <p>A non-removable medium is always loaded; the prevention state is still kept so that an
 * eject attempt can report MEDIUM REMOVAL PREVENTED.
 */
public final class Medium {
    private final boolean removable;
    private boolean loaded = true;
    private final Set<Nexus> preventing = new HashSet<>();

    public Medium(boolean removable) {
        this.removable = removable;
    }

    public boolean removable() {
        return removable;
    }

    /** False only while a removable medium is ejected: medium access is then NOT READY. */
    public synchronized boolean present() {
        return loaded;
    }

    /** True while at least one I_T nexus prevents medium removal. */
    public synchronized boolean prevented() {
        return !preventing.isEmpty();
    }

    /** True while this I_T nexus prevents medium removal. */
    public synchronized boolean preventedBy(Nexus nexus) {
        return preventing.contains(nexus);
    }

    /** PREVENT ALLOW MEDIUM REMOVAL from one I_T nexus: PREVENT=1 adds it, PREVENT=0 removes it. */
    public synchronized void setPrevent(Nexus nexus, boolean prevent) {
        if (prevent) {
            preventing.add(nexus);
        } else {
            preventing.remove(nexus);
        }
    }

    /** I_T nexus loss (logout, connection drop): that nexus's prevention ends. */
    public synchronized void nexusLost(Nexus nexus) {
        preventing.remove(nexus);
    }

    /** Logical unit reset or hard reset: every prevention ends; a loaded medium stays loaded. */
    public synchronized void clearPreventions() {
        preventing.clear();
    }

    /**
     * Unloads a removable medium (START STOP UNIT LOEJ=1 START=0).
     *
     * @return false when removal is prevented (nothing changes); ejecting an absent medium is true
     */
    public synchronized boolean eject() {
        if (!removable) {
            throw new IllegalStateException("medium is not removable");
        }
        if (!preventing.isEmpty()) {
            return false;
        }
        loaded = false;
        return true;
    }

    /**
     * Loads a removable medium (START STOP UNIT LOEJ=1 START=1). Like an eject it is refused
     * while removal is prevented: the prevention locks the medium in whatever state it is in
     * (libiscsi PreventAllow.Eject expects MEDIUM REMOVAL PREVENTED for this load).
     *
     * @return -1 when prevented, 0 when the medium was already loaded, 1 when it was loaded now
     */
    public synchronized int load() {
        if (!removable) {
            throw new IllegalStateException("medium is not removable");
        }
        if (!preventing.isEmpty()) {
            return -1;
        }
        if (loaded) {
            return 0;
        }
        loaded = true;
        return 1;
    }
}
