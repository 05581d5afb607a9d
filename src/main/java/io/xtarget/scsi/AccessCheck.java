package io.xtarget.scsi;

/**
 * The core's one access check: may this I_T nexus, through this LUN mapping, touch this logical
 * unit the way a command (or a copy manager acting for it) asks? {@link ScsiCore#execute} calls it
 * for every command before the handler runs; the copy manager calls it for the copy source (as a
 * READ) and the copy destination (as a WRITE) of every segment of an EXTENDED COPY before any data
 * moves, and for token copies alike (the copy package maps the answer to copy sense). Commands and
 * copies therefore can never disagree about reservations, write protection or a missing medium.
 *
 * <p>In order (the first refusal wins; the order is the core's, SAM-5 5.x / SPC-4 5.x):
 * <ol>
 *   <li>no LU at the LUN: ILLEGAL REQUEST / LOGICAL UNIT NOT SUPPORTED (25h/00h), unless the row
 *       runs without one (SPC-4 4.6.x: INQUIRY, REPORT LUNS, REQUEST SENSE);</li>
 *   <li>a pending unit attention, reported and cleared (SAM-5 5.14), unless exempt. A copy manager
 *       never takes one: its access to a copy target is not a new command from that I_T nexus
 *       (SPC-4 6.4: the copy manager, not the application client, accesses the copy targets; a
 *       unit attention is reported only in reply to a command of that nexus, SAM-5 5.14), so it
 *       stays pending for the nexus's next command to that LU;</li>
 *   <li>RESERVATION CONFLICT by {@link MediumAccess} (SPC-2 5.5.1, SPC-4 5.12.2 table 64, SBC-3
 *       4.17 table 13);</li>
 *   <li>a sanitize operation in progress (NOT READY 04h/1Bh with progress) or failed (MEDIUM
 *       ERROR 31h/03h), SBC-4 4.11;</li>
 *   <li>a missing image: NOT READY / MANUAL INTERVENTION REQUIRED (04h/03h);</li>
 *   <li>an ejected removable medium: NOT READY / MEDIUM NOT PRESENT (3Ah/00h);</li>
 *   <li>a read-only mapping: DATA PROTECT / WRITE PROTECTED (27h/00h) for what changes user data
 *       or shared state ({@link CommandDescriptor#refusedReadOnly});</li>
 *   <li>software write protection (control mode page SWP, SPC-4 7.5.8): DATA PROTECT / SOFTWARE
 *       WRITE PROTECTED (27h/02h) for every WRITE.</li>
 * </ol>
 * A command's CDB is checked for reserved bits between steps 3 and 4 ({@link ScsiCore#execute}
 * calls {@link #requireNexus}, then {@link CdbUsage#check}, then {@link #requireUnitState}); a
 * copy's CDB was checked when the copy command itself arrived.
 * A failed LU ({@link LuHealth}) and a full file system are not checked here: the data path of
 * {@link LogicalUnit} refuses them for commands and copies alike.
 */
public final class AccessCheck {
    private AccessCheck() {}

    /** Why access was refused. */
    public enum Refusal {
        LUN_NOT_SUPPORTED,
        UNIT_ATTENTION,
        RESERVATION_CONFLICT,
        SANITIZE_IN_PROGRESS,
        SANITIZE_FAILED,
        IMAGE_MISSING,
        MEDIUM_NOT_PRESENT,
        READ_ONLY_MAPPING,
        SOFTWARE_WRITE_PROTECT
    }

    /**
     * A refusal and the answer a command gets for it: RESERVATION CONFLICT status without sense,
     * else CHECK CONDITION with {@code sense}.
     */
    public record Denial(Refusal refusal, Sense sense) {
        public ScsiStatus status() {
            return refusal == Refusal.RESERVATION_CONFLICT ? ScsiStatus.RESERVATION_CONFLICT
                    : ScsiStatus.CHECK_CONDITION;
        }

        public ScsiException exception() {
            return new ScsiException(status(), sense);
        }
    }

    /**
     * What is asked of the LU, as far as access is concerned.
     *
     * @param access how the medium is touched (reservations, software write protection)
     * @param needsLu refused when the LUN has no LU
     * @param takesUnitAttention reports and clears a pending unit attention
     * @param needsMedium refused while a removable medium is out
     * @param needsImage refused while the image is missing
     * @param refusedReadOnly refused through a read-only mapping
     * @param runsDuringSanitize runs while a sanitize operation is in progress or has failed
     * @param sanitizeCommand is SANITIZE, which an LU in sanitize failure mode still accepts
     */
    public record Request(MediumAccess access, boolean needsLu, boolean takesUnitAttention, boolean needsMedium,
            boolean needsImage, boolean refusedReadOnly, boolean runsDuringSanitize, boolean sanitizeCommand) {

        /** The copy manager reading a copy source: what a READ would ask, without unit attentions. */
        public static final Request COPY_READ = new Request(MediumAccess.READ, true, false, true, true, false, false,
                false);
        /** The copy manager writing a copy destination: what a WRITE would ask, without unit attentions. */
        public static final Request COPY_WRITE = new Request(MediumAccess.WRITE, true, false, true, true, true, false,
                false);

        /** What a command asks, from its row of the opcode table and its CDB. */
        public static Request command(CommandDescriptor d, Cdb cdb) {
            return new Request(d.access(), !d.has(CommandDescriptor.Flag.NO_LU),
                    !d.has(CommandDescriptor.Flag.UA_EXEMPT), d.needsMedium(),
                    d.needsMedium() || d.has(CommandDescriptor.Flag.NO_MEDIUM), d.refusedReadOnly(cdb),
                    d.has(CommandDescriptor.Flag.ALLOWED_DURING_SANITIZE), d.opcode() == SanitizeState.SANITIZE_OPCODE);
        }
    }

    /**
     * Checks access and throws the answer a command gets.
     *
     * @throws ScsiException RESERVATION CONFLICT, or CHECK CONDITION with the sense listed above
     */
    public static void require(Nexus nexus, LunMapping mapping, Request request) throws ScsiException {
        throwIfDenied(check(nexus, mapping, request));
    }

    /**
     * The first three checks only (LU, unit attention, reservation): the core runs the CDB check
     * between these and {@link #requireUnitState}, since SAM-5 5.3.2 puts a unit attention and
     * RESERVATION CONFLICT before any other CHECK CONDITION.
     */
    public static void requireNexus(Nexus nexus, LunMapping mapping, Request request) throws ScsiException {
        throwIfDenied(checkNexus(nexus, mapping, request));
    }

    /** The other checks (sanitize, image, medium, write protection), for a command that passed {@link #requireNexus}. */
    public static void requireUnitState(LunMapping mapping, Request request) throws ScsiException {
        throwIfDenied(mapping == null ? null : checkUnitState(mapping, request));
    }

    private static void throwIfDenied(Denial d) throws ScsiException {
        if (d != null) {
            throw d.exception();
        }
    }

    /**
     * Checks access.
     *
     * @param mapping how the nexus reaches the LU, or null when no LU is there
     * @return null when allowed, else the first refusal in the order above
     */
    public static Denial check(Nexus nexus, LunMapping mapping, Request r) {
        Denial d = checkNexus(nexus, mapping, r);
        return d != null || mapping == null ? d : checkUnitState(mapping, r);
    }

    private static Denial checkNexus(Nexus nexus, LunMapping mapping, Request r) {
        if (mapping == null) {
            return r.needsLu() ? new Denial(Refusal.LUN_NOT_SUPPORTED, Sense.lunNotSupported()) : null;
        }
        LogicalUnit lu = mapping.unit();
        if (r.takesUnitAttention()) {
            Sense ua = lu.unitAttentions().poll(nexus);
            if (ua != null) {
                return new Denial(Refusal.UNIT_ATTENTION, ua);
            }
        }
        if (r.access() != MediumAccess.NONE && lu.reservations().conflicts(nexus, r.access())) {
            return new Denial(Refusal.RESERVATION_CONFLICT, null);
        }
        return null;
    }

    private static Denial checkUnitState(LunMapping mapping, Request r) {
        LogicalUnit lu = mapping.unit();
        Sense sanitizing = lu.sanitize().refusal(r.runsDuringSanitize(), r.sanitizeCommand());
        if (sanitizing != null) {
            return new Denial(sanitizing.key() == SenseKey.NOT_READY ? Refusal.SANITIZE_IN_PROGRESS
                    : Refusal.SANITIZE_FAILED, sanitizing);
        }
        if (r.needsImage() && lu.missingImage() != null) {
            return new Denial(Refusal.IMAGE_MISSING, Sense.manualInterventionRequired());
        }
        if (r.needsMedium() && !lu.medium().present()) {
            return new Denial(Refusal.MEDIUM_NOT_PRESENT, Sense.mediumNotPresent());
        }
        // A read-only mapping refuses what changes user data and what changes state other
        // nexuses share (reservations, mode pages, the medium), from the row alone.
        if (mapping.readOnly() && r.refusedReadOnly()) {
            return new Denial(Refusal.READ_ONLY_MAPPING, Sense.writeProtected());
        }
        if (r.access() == MediumAccess.WRITE && lu.mode().softwareWriteProtect) {
            return new Denial(Refusal.SOFTWARE_WRITE_PROTECT, new Sense(SenseKey.DATA_PROTECT, 0x27, 0x02));
        }
        return null;
    }
}
