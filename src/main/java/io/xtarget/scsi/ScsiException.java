package io.xtarget.scsi;

/**
 * Ends a command with a non-GOOD status. Handlers throw it; the dispatcher turns it into the
 * response, so no handler builds responses for errors by hand.
 */
public final class ScsiException extends Exception {
    private final ScsiStatus status;
    private final transient Sense sense;

    public ScsiException(Sense sense) {
        this(ScsiStatus.CHECK_CONDITION, sense);
    }

    public ScsiException(ScsiStatus status, Sense sense) {
        super(sense == null ? status.name() : sense.toString(), null, false, false);
        this.status = status;
        this.sense = sense;
    }

    public static ScsiException reservationConflict() {
        return new ScsiException(ScsiStatus.RESERVATION_CONFLICT, null);
    }

    public ScsiStatus status() {
        return status;
    }

    /** The sense data, or null for statuses that carry none (e.g. RESERVATION CONFLICT). */
    public Sense sense() {
        return sense;
    }
}
