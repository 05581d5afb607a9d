package io.xtarget.scsi.copy;

import static io.xtarget.scsi.copy.CopyOpcodes.*;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.CdbUsage;
import io.xtarget.scsi.CommandDescriptor;
import io.xtarget.scsi.CommandSet;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.MediumAccess;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Third-party copy (SPC-4 5.17, 6.4, 6.20, 7.8.17): EXTENDED COPY(LID1), RECEIVE COPY RESULTS
 * (COPY STATUS, OPERATING PARAMETERS, FAILED SEGMENT DETAILS) and the Third-party Copy VPD page;
 * and token-based copy (Windows ODX: POPULATE TOKEN, WRITE USING TOKEN and their status commands,
 * {@link RodTokenCommands}) on the same engine, concurrency budget and counters.
 *
 * <p>EXTENDED COPY is registered with {@link MediumAccess#NONE}: the LU that receives it need not
 * be source or destination (a PUSH from a read-only mapping is legal), so write protection and
 * reservations are checked here on the LUs the segments actually touch, exactly as a READ or
 * WRITE from this initiator would be.
 */
public final class CopyCommandSet implements CommandSet, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CopyCommandSet.class);

    private final CopyLimits limits;
    private final CopyEngine engine;
    private final CopyResults results;
    private final CopyStats stats = new CopyStats();
    private final Semaphore concurrent;
    private final RodTokenCommands tokens;

    public CopyCommandSet() {
        this(CopyLimits.DEFAULT, new CopyEngine());
    }

    public CopyCommandSet(CopyLimits limits, CopyEngine engine) {
        this(limits, engine, TokenLimits.DEFAULT);
    }

    public CopyCommandSet(CopyLimits limits, CopyEngine engine, TokenLimits tokenLimits) {
        this.limits = limits;
        this.engine = engine;
        this.results = new CopyResults(System::nanoTime);
        this.concurrent = new Semaphore(limits.totalConcurrentCopies());
        this.tokens = new RodTokenCommands(tokenLimits, engine, concurrent, stats);
    }

    public CopyStats stats() {
        return stats;
    }

    public CopyLimits limits() {
        return limits;
    }

    /** The fabric calls this on I_T nexus loss: held copy results of that nexus are discarded. */
    public void nexusLost(Nexus nexus) {
        results.nexusLost(nexus);
        tokens.nexusLost(nexus);
    }

    /**
     * The server calls this when LUs leave it (a reload dropped their backstore) or get another
     * store (a missing image restored): their ROD tokens are revoked (TOKEN REVOKED from then on).
     */
    public void revokeTokens(java.util.Collection<LogicalUnit> units) {
        tokens.revoke(units);
    }

    public TokenLimits tokenLimits() {
        return tokens.limits();
    }

    /** Stops running copies (they fail with COPY ABORTED and report progress), refuses new ones, drops tokens. */
    @Override
    public void close() {
        engine.close();
        tokens.close();
    }

    @Override
    public void register(OpcodeTable.Builder table) {
        int ff = 0xFF;
        // SPC-4 6.4.1, 6.20.1: PARAMETER LIST LENGTH / ALLOCATION LENGTH in bytes 10..13; RECEIVE COPY
        // RESULTS names the copy in LIST IDENTIFIER (byte 2), except OPERATING PARAMETERS
        table.add(new CommandDescriptor(EXTENDED_COPY, SA_EXTENDED_COPY_LID1, "EXTENDED COPY(LID1)",
                MediumAccess.NONE, Set.of(),
                CdbUsage.of(EXTENDED_COPY, SA_EXTENDED_COPY_LID1, 0, 0, 0, 0, 0, 0, 0, 0, ff, ff, ff, ff, 0, 0),
                this::extendedCopy));
        table.add(new CommandDescriptor(RECEIVE_COPY_RESULTS, SA_COPY_STATUS, "RECEIVE COPY RESULTS(COPY STATUS)",
                MediumAccess.NONE, Set.of(),
                CdbUsage.of(RECEIVE_COPY_RESULTS, SA_COPY_STATUS, ff, 0, 0, 0, 0, 0, 0, 0, ff, ff, ff, ff, 0, 0),
                this::copyStatus));
        table.add(new CommandDescriptor(RECEIVE_COPY_RESULTS, SA_OPERATING_PARAMETERS,
                "RECEIVE COPY RESULTS(OPERATING PARAMETERS)", MediumAccess.NONE, Set.of(),
                CdbUsage.of(RECEIVE_COPY_RESULTS, SA_OPERATING_PARAMETERS, 0, 0, 0, 0, 0, 0, 0, 0, ff, ff, ff, ff, 0, 0),
                this::operatingParameters));
        table.add(new CommandDescriptor(RECEIVE_COPY_RESULTS, SA_FAILED_SEGMENT_DETAILS,
                "RECEIVE COPY RESULTS(FAILED SEGMENT DETAILS)", MediumAccess.NONE, Set.of(),
                CdbUsage.of(RECEIVE_COPY_RESULTS, SA_FAILED_SEGMENT_DETAILS, ff, 0, 0, 0, 0, 0, 0, 0, ff, ff, ff, ff, 0, 0),
                this::failedSegmentDetails));
        tokens.register(table);
        table.addVpdPage(0x8F, task -> CopyPages.thirdPartyCopyVpd(task.lu() == null ? 0x7F : 0x00, limits,
                tokens.limits(), task.lu() == null ? 512 : task.lu().blockSize()));
    }

    // ---- EXTENDED COPY(LID1), SPC-4 6.4 ----

    ScsiResult extendedCopy(ScsiTask task) throws ScsiException {
        long paramLength = task.cdb().u32(10);
        if (paramLength == 0) { // SPC-4 6.4.1: not an error, nothing to copy
            return ScsiResult.good();
        }
        ParameterList list = ParameterListParser.parse(task.dataOut((int) Math.min(paramLength, Integer.MAX_VALUE)),
                limits);
        if (engine.isClosed() || !concurrent.tryAcquire()) {
            throw new ScsiException(CopySense.insufficientResources());
        }
        try {
            CopyOperation op = results.begin(task.nexus(), list.header());
            try {
                run(task, list, op);
            } finally {
                results.finished(task.nexus(), op);
            }
            return ScsiResult.good();
        } finally {
            concurrent.release();
        }
    }

    private void run(ScsiTask task, ParameterList list, CopyOperation op) throws ScsiException {
        stats.started();
        long start = System.nanoTime();
        int segment = 0;
        long fast = 0;
        List<Transfer> plan = List.of();
        try {
            plan = CopyPlanner.plan(task, list);
            for (Transfer t : plan) {
                segment = t.segment();
                fast += engine.run(t, (at, n) -> op.addBytes(n), task::isAborted);
                op.segmentDone();
            }
            op.succeed(results.now());
            stats.succeeded();
            stats.bytes(op.bytesTransferred(), fast);
            logCopy(task, list, plan, op, start, "done");
        } catch (ScsiException e) {
            fail(op, e.status(), e.sense());
            logCopy(task, list, plan, op, start, "failed: " + (e.sense() == null ? e.status() : e.sense()));
            throw e;
        } catch (IOException e) {
            // A backend error mid-copy: never GOOD for partial data; report the failing segment.
            Sense s = CopySense.thirdPartyDeviceFailure(segment);
            fail(op, ScsiStatus.CHECK_CONDITION, s);
            stats.bytes(op.bytesTransferred(), fast);
            logCopy(task, list, plan, op, start, "failed in segment " + segment + ": " + e);
            throw new ScsiException(s);
        } catch (CopyEngine.StoppedException e) {
            stats.bytes(op.bytesTransferred(), fast);
            if (task.isAborted()) {
                fail(op, ScsiStatus.TASK_ABORTED, null);
                logCopy(task, list, plan, op, start, "aborted in segment " + segment);
                throw new ScsiException(ScsiStatus.TASK_ABORTED, null);
            }
            Sense s = CopySense.thirdPartyDeviceFailure(segment);
            fail(op, ScsiStatus.CHECK_CONDITION, s);
            logCopy(task, list, plan, op, start, "stopped by shutdown in segment " + segment);
            throw new ScsiException(s);
        }
    }

    private void fail(CopyOperation op, ScsiStatus status, Sense sense) {
        op.fail(status, sense, results.now());
        stats.failed();
    }

    private static void logCopy(ScsiTask task, ParameterList list, List<Transfer> plan, CopyOperation op,
            long startNanos, String outcome) {
        long nanos = Math.max(1, System.nanoTime() - startNanos);
        long bytes = op.bytesTransferred();
        double mibPerSec = bytes / (1024.0 * 1024.0) / (nanos / 1e9);
        log.info("EXTENDED COPY list {} from {}: {} -> {}, {} segment(s), {} bytes in {} ms ({} MiB/s), {}",
                list.header().listId(), task.nexus(), names(plan, true), names(plan, false), op.segmentsProcessed(),
                bytes, nanos / 1_000_000, String.format("%.1f", mibPerSec), outcome);
    }

    private static String names(List<Transfer> plan, boolean source) {
        Set<String> n = new LinkedHashSet<>();
        for (Transfer t : plan) {
            LogicalUnit lu = source ? t.source() : t.destination();
            n.add(lu.name());
        }
        return n.isEmpty() ? "-" : n.stream().collect(Collectors.joining(","));
    }

    // ---- RECEIVE COPY RESULTS, SPC-4 6.20 ----

    ScsiResult operatingParameters(ScsiTask task) {
        return ScsiResult.good(CopyPages.operatingParameters(limits), allocationLength(task.cdb()));
    }

    ScsiResult copyStatus(ScsiTask task) throws ScsiException {
        CopyOperation op = find(task);
        return ScsiResult.good(CopyPages.copyStatus(op), allocationLength(task.cdb()));
    }

    ScsiResult failedSegmentDetails(ScsiTask task) throws ScsiException {
        CopyOperation op = find(task);
        Sense s = op.failureSense();
        byte[] sense = s == null ? null : task.encodeSense(s);
        return ScsiResult.good(CopyPages.failedSegmentDetails(op, sense), allocationLength(task.cdb()));
    }

    /** The copy the CDB's LIST IDENTIFIER names on this nexus, or INVALID FIELD IN CDB. */
    private CopyOperation find(ScsiTask task) throws ScsiException {
        CopyOperation op = results.find(task.nexus(), task.cdb().u8(2));
        if (op == null) {
            throw new ScsiException(Sense.invalidFieldInCdb(2, -1));
        }
        return op;
    }

    private static long allocationLength(Cdb cdb) {
        return cdb.u32(10);
    }
}
