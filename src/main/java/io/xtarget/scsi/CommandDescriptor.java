package io.xtarget.scsi;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

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
 * @param sharedStateWhen for a row flagged {@link Flag#SHARED_STATE}: the CDBs that change the shared
 *     state (fields such as START STOP UNIT's LOEJ decide it); {@link #EVERY_CDB} for the whole row
 */
public record CommandDescriptor(int opcode, int serviceAction, String name, MediumAccess access, Set<Flag> flags,
        byte[] cdbUsage, CommandHandler handler, Predicate<Cdb> sharedStateWhen) {

    /** The {@link #sharedStateWhen} of a row whose every CDB counts. */
    public static final Predicate<Cdb> EVERY_CDB = cdb -> true;

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
        QUICK,
        /**
         * Changes state every I_T nexus shares, though not the user data: refused with DATA PROTECT /
         * WRITE PROTECTED (27h/00h) from a read-only mapping ({@link LunMapping#readOnly}), before
         * the handler runs, so nothing changes. A read-only host must not be able to lock, stop or
         * reconfigure what other hosts write to: reservations (RESERVE(6)/(10), PERSISTENT RESERVE
         * OUT RESERVE, RELEASE, CLEAR, PREEMPT, PREEMPT AND ABORT: SPC-4 5.12), mode pages
         * (MODE SELECT: SPC-4 7.5, every page is shared, see {@link ModeState}) and the medium
         * itself (START STOP UNIT with LOEJ: SBC-3 5.25). When the CDB decides it, the row's
         * {@link CommandDescriptor#sharedStateWhen} says which CDBs count.
         *
         * <p>Rows that change user data are {@link MediumAccess#WRITE} and refused the same way
         * without this flag. Commands not served yet must get one of the two when they are added:
         * FORMAT UNIT and SANITIZE (WRITE: they rewrite the medium), WRITE BUFFER (this flag: it
         * changes the device's buffers or microcode for everybody). The audit test of the
         * standard opcode table ({@code ReadOnlyVerdictAuditTest}) lists every row with its verdict
         * and fails for a row it does not know.
         *
         * <p>Left allowed on purpose: PERSISTENT RESERVE OUT REGISTER and REGISTER AND IGNORE
         * EXISTING KEY only add, change or remove this I_T nexus's own key (SPEC_I_PT and ALL_TG_PT,
         * which would register other nexuses, are not supported); RELEASE(6)/(10) only ever end the
         * sender's own reservation; PREVENT ALLOW MEDIUM REMOVAL is kept per I_T nexus and ends with
         * it.
         */
        SHARED_STATE,
        /**
         * Runs while a sanitize operation is in progress or has failed (SBC-4 4.11.1: INQUIRY,
         * LOG SENSE, REPORT LUNS, REQUEST SENSE); the core refuses every other row then
         * ({@link SanitizeState#refusal}).
         */
        ALLOWED_DURING_SANITIZE
    }

    /** A row whose {@link Flag#SHARED_STATE} flag, if any, covers every CDB. */
    public CommandDescriptor(int opcode, int serviceAction, String name, MediumAccess access, Set<Flag> flags,
            byte[] cdbUsage, CommandHandler handler) {
        this(opcode, serviceAction, name, access, flags, cdbUsage, handler, EVERY_CDB);
    }

    public CommandDescriptor {
        flags = flags.isEmpty() ? Set.of() : EnumSet.copyOf(flags);
        cdbUsage = cdbUsage.clone();
        Objects.requireNonNull(sharedStateWhen);
        if (sharedStateWhen != EVERY_CDB && !flags.contains(Flag.SHARED_STATE)) {
            throw new IllegalArgumentException(name + ": sharedStateWhen without the SHARED_STATE flag");
        }
    }

    /**
     * This row flagged {@link Flag#SHARED_STATE} for the CDBs {@code when} accepts only (e.g. START
     * STOP UNIT: only LOEJ=1 moves the medium).
     */
    public CommandDescriptor withSharedStateWhen(Predicate<Cdb> when) {
        Set<Flag> f = EnumSet.of(Flag.SHARED_STATE);
        f.addAll(flags);
        return new CommandDescriptor(opcode, serviceAction, name, access, f, cdbUsage, handler, when);
    }

    /** Whether this CDB changes state every I_T nexus shares ({@link Flag#SHARED_STATE}). */
    public boolean changesSharedState(Cdb cdb) {
        return has(Flag.SHARED_STATE) && sharedStateWhen.test(cdb);
    }

    /**
     * Whether a read-only mapping refuses this CDB with WRITE PROTECTED: it changes user data
     * ({@link MediumAccess#WRITE}) or state other I_T nexuses share ({@link #changesSharedState}).
     */
    public boolean refusedReadOnly(Cdb cdb) {
        return access == MediumAccess.WRITE || changesSharedState(cdb);
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
