package io.xtarget.scsi;

/**
 * The changeable mode parameters of one logical unit (SPC-4 7.5, SBC-3 6.4). Shared by every
 * I_T nexus (the target does not keep per-nexus mode pages). Values are volatile: MODE SELECT
 * writes them, the I/O path reads them.
 *
 * <p>Because every changeable field here is shared (SWP write-protects every host, WCE and TAS
 * change every host's I/O and aborts), MODE SELECT is refused as a whole from a read-only mapping
 * ({@link CommandDescriptor.Flag#SHARED_STATE} on its rows). A page kept per I_T nexus, should one
 * be added, would have to be told apart from the parameter list, which the row's CDB predicate
 * does not see: MODE SELECT would then need its own check for the shared pages.
 */
public final class ModeState {
    /** Caching page: WCE, write cache enabled. */
    public volatile boolean writeCacheEnabled = true;
    /** Whether a write must be durable when it completes: FUA, or the write cache is off (WCE 0). */
    public boolean durable(boolean fua) {
        return fua || !writeCacheEnabled;
    }

    /** Caching page: RCD, read cache disable. */
    public volatile boolean readCacheDisabled = false;
    /** Control page: D_SENSE, return descriptor format sense. */
    public volatile boolean descriptorSense = false;
    /** Control page: SWP, software write protect. */
    public volatile boolean softwareWriteProtect = false;
    /**
     * Control page: TAS, task aborted status. When set, a command aborted by an action of another
     * I_T nexus ends with TASK ABORTED status; when clear it ends silently and that nexus gets
     * COMMANDS CLEARED BY ANOTHER INITIATOR (SAM-5 5.6, SPC-4 7.5.8).
     */
    public volatile boolean taskAbortedStatus = false;
    /** Control page: QERR. */
    public volatile int queueErrorManagement = 0;
    /** Informational exceptions page: MRIE. */
    public volatile int mrie = 0;
    /** Informational exceptions page: DEXCPT (default set: no exceptions reported). */
    public volatile boolean dexcpt = true;
}
