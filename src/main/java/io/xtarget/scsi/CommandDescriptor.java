package io.xtarget.scsi;

import java.util.EnumSet;
import java.util.Set;

/**
 * One row of the opcode table: what a command is, how the core treats it, and who runs it. The
 * same rows answer REPORT SUPPORTED OPERATION CODES, so the two can never disagree.
 *
 * @param opcode operation code
 * @param serviceAction service action, or -1 for opcodes without one
 * @param name name as SPC/SBC spell it, for logs
 * @param access medium access, for write protection and reservation checks
 * @param flags how the core treats the command
 * @param cdbUsage the CDB USAGE DATA of REPORT SUPPORTED OPERATION CODES (SPC-4 6.35.3): byte 0 is
 *     the opcode, later bytes have a bit set for every CDB bit the target looks at
 * @param handler the code that runs it
 */
public record CommandDescriptor(int opcode, int serviceAction, String name, MediumAccess access, Set<Flag> flags,
        byte[] cdbUsage, CommandHandler handler) {

    public enum Flag {
        /** Runs even when the LUN has no logical unit (INQUIRY, REPORT LUNS, REQUEST SENSE). */
        NO_LU,
        /** Neither reports nor clears a pending unit attention (SAM-5 5.14: INQUIRY, REPORT LUNS, REQUEST SENSE). */
        UA_EXEMPT,
        /**
         * Needs a loaded medium although its {@link MediumAccess} is NONE or STATUS (TEST UNIT
         * READY, READ CAPACITY): NOT READY / MEDIUM NOT PRESENT while a removable medium is out.
         */
        NEEDS_MEDIUM,
        /**
         * Runs without a loaded medium although it is a READ for reservations (START STOP UNIT,
         * PREVENT ALLOW MEDIUM REMOVAL: they are how the medium gets loaded).
         */
        NO_MEDIUM,
        /**
         * Completes at memory speed (no waiting on locks, other tasks or a flush), unless its LU's
         * store is slow ({@link LogicalUnit#fastIo}): a fabric may run it on the thread that
         * received it instead of handing it to a worker. Rows without it run on workers.
         */
        QUICK
    }

    public CommandDescriptor {
        flags = flags.isEmpty() ? Set.of() : EnumSet.copyOf(flags);
        cdbUsage = cdbUsage.clone();
    }

    public boolean has(Flag f) {
        return flags.contains(f);
    }

    /**
     * Whether the command fails with NOT READY while a removable medium is ejected: every READ
     * and WRITE (they touch user data or its cache), plus the rows flagged {@link Flag#NEEDS_MEDIUM};
     * never the rows flagged {@link Flag#NO_MEDIUM}. Commands about the device rather than the
     * medium (INQUIRY, REPORT LUNS, REQUEST SENSE, MODE SENSE/SELECT, reservations) run without one.
     */
    public boolean needsMedium() {
        if (has(Flag.NO_MEDIUM)) {
            return false;
        }
        return access == MediumAccess.READ || access == MediumAccess.WRITE || has(Flag.NEEDS_MEDIUM);
    }

    public boolean hasServiceAction() {
        return serviceAction >= 0;
    }
}
