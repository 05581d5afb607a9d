package io.xtarget.scsi;

/**
 * Reservation state of one logical unit. Holds SPC-2 RESERVE/RELEASE reservations; persistent
 * reservations (SPC-4 5.12) extend this class. The core asks {@link #conflicts} before running any
 * command, so every command set and the copy engine obey reservations the same way.
 */
public final class Reservations {
    /** Initiator port holding an SPC-2 reservation, or null. */
    private String reservedBy;

    /** True when a command with this access, from this nexus, must get RESERVATION CONFLICT. */
    public synchronized boolean conflicts(Nexus nexus, MediumAccess access) {
        if (reservedBy != null && !reservedBy.equals(nexus.initiatorPortName())) {
            return access != MediumAccess.NONE;
        }
        return false;
    }

    /** SPC-2 RESERVE(6/10): false when another initiator port holds the unit. */
    public synchronized boolean reserve(Nexus nexus) {
        String port = nexus.initiatorPortName();
        if (reservedBy != null && !reservedBy.equals(port)) {
            return false;
        }
        reservedBy = port;
        return true;
    }

    /** SPC-2 RELEASE(6/10): releases only the caller's own reservation. */
    public synchronized void release(Nexus nexus) {
        if (nexus.initiatorPortName().equals(reservedBy)) {
            reservedBy = null;
        }
    }

    /** I_T nexus loss or LUN reset releases an SPC-2 reservation (SPC-2 5.5.1). */
    public synchronized void nexusLost(Nexus nexus) {
        release(nexus);
    }

    public synchronized void reset() {
        reservedBy = null;
    }
}
