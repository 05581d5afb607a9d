package io.xtarget.scsi;

/** Lets fabric tests wait for a {@link ScsiTask} to end, as the task manager does. */
public final class ScsiTaskAccess {
    private ScsiTaskAccess() {}

    /** Runs {@code r} once the task has ended (at once when it already has). */
    public static void whenEnded(ScsiTask t, Runnable r) {
        t.whenEnded(r);
    }
}
