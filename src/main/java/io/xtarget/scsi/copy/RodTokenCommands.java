package io.xtarget.scsi.copy;

import io.xtarget.scsi.CdbUsage;
import io.xtarget.scsi.CommandDescriptor;
import io.xtarget.scsi.CommandHandler;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.MediumAccess;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token-based copy commands of SPC-4 5.16.4 and SBC-3 4.x (Windows ODX): POPULATE TOKEN and
 * WRITE USING TOKEN (83h/10h, 11h), COPY OPERATION ABORT (83h/1Ch), RECEIVE COPY STATUS(LID4),
 * RECEIVE ROD TOKEN INFORMATION and REPORT ALL ROD TOKENS (84h/05h, 07h, 08h), with the server-wide
 * {@link RodTokenTable} and the per-nexus 32-bit list identifiers ({@link Lid4Operations}). The
 * copy command set owns one instance and registers its rows in the one opcode table.
 */
final class RodTokenCommands {
    private static final Logger log = LoggerFactory.getLogger(RodTokenCommands.class);
    static final int OP_EXTENDED_COPY = CopyOpcodes.EXTENDED_COPY;
    static final int OP_RECEIVE_COPY_RESULTS = CopyOpcodes.RECEIVE_COPY_RESULTS;
    static final int SA_COPY_OPERATION_ABORT = 0x1C;
    static final int SA_RECEIVE_COPY_STATUS_LID4 = 0x05;
    static final int SA_RECEIVE_ROD_TOKEN_INFORMATION = 0x07;
    static final int SA_REPORT_ALL_ROD_TOKENS = 0x08;
    /** How long COPY OPERATION ABORT waits for the operation to stop. */
    static final long ABORT_WAIT_MILLIS = 10_000;

    private final TokenContext ctx;
    private final PopulateToken populate;
    private final WriteUsingToken write;

    RodTokenCommands(TokenLimits limits, CopyEngine engine, Semaphore concurrent, CopyStats stats) {
        this.ctx = new TokenContext(limits, engine, concurrent, stats,
                new RodTokenTable(limits, System::nanoTime, new SecureRandom(), stats), new Lid4Operations(System::nanoTime));
        this.populate = new PopulateToken(ctx);
        this.write = new WriteUsingToken(ctx);
    }

    TokenLimits limits() {
        return ctx.limits();
    }

    RodTokenTable tokens() {
        return ctx.tokens();
    }

    /**
     * The rows, with CDB USAGE DATA ({@link CdbUsage}) naming exactly the fields the handlers
     * read: the service action (byte 1 holds its value, as for every row with one), LIST
     * IDENTIFIER (bytes 6..9 of POPULATE TOKEN and WRITE USING TOKEN, 2..5 of the others),
     * PARAMETER LIST LENGTH or ALLOCATION LENGTH (bytes 10..13). GROUP NUMBER is not read, so it
     * is not declared: the core refuses a CDB that sets it.
     */
    void register(OpcodeTable.Builder t) {
        add(t, OP_EXTENDED_COPY, PopulateToken.SA, "POPULATE TOKEN", MediumAccess.READ, populate::execute, 6, 10);
        add(t, OP_EXTENDED_COPY, WriteUsingToken.SA, "WRITE USING TOKEN", MediumAccess.WRITE, write::execute, 6, 10);
        add(t, OP_EXTENDED_COPY, SA_COPY_OPERATION_ABORT, "COPY OPERATION ABORT", MediumAccess.NONE, this::abort, 2, -1);
        add(t, OP_RECEIVE_COPY_RESULTS, SA_RECEIVE_COPY_STATUS_LID4, "RECEIVE COPY STATUS(LID4)", MediumAccess.NONE,
                task -> status(task, false), 2, 10);
        add(t, OP_RECEIVE_COPY_RESULTS, SA_RECEIVE_ROD_TOKEN_INFORMATION, "RECEIVE ROD TOKEN INFORMATION",
                MediumAccess.NONE, task -> status(task, true), 2, 10);
        add(t, OP_RECEIVE_COPY_RESULTS, SA_REPORT_ALL_ROD_TOKENS, "REPORT ALL ROD TOKENS", MediumAccess.NONE,
                this::reportAll, -1, 10);
    }

    private static void add(OpcodeTable.Builder t, int opcode, int sa, String name, MediumAccess access,
            CommandHandler handler, int listIdAt, int lengthAt) {
        int[] u = new int[16];
        u[0] = opcode;
        u[1] = sa;
        for (int at : new int[] {listIdAt, lengthAt}) {
            for (int i = 0; at >= 0 && i < 4; i++) {
                u[at + i] = 0xFF;
            }
        }
        t.add(new CommandDescriptor(opcode, sa, name, access, Set.of(), CdbUsage.of(u), handler));
    }

    /** The fabric's I_T nexus loss: ended operations of that nexus are discarded (tokens live on). */
    void nexusLost(Nexus nexus) {
        ctx.operations().nexusLost(nexus);
    }

    /** Revokes the tokens of LUs removed from the server or given another store. */
    void revoke(Collection<LogicalUnit> units) {
        int n = ctx.tokens().revoke(units);
        if (n > 0) {
            log.info("revoked {} ROD token(s) of {}", n, units.stream().map(LogicalUnit::name).toList());
        }
    }

    void close() {
        ctx.tokens().clear();
    }

    // ---- RECEIVE COPY STATUS(LID4), SPC-4 6.19; RECEIVE ROD TOKEN INFORMATION, SPC-4 6.21 ----

    private ScsiResult status(ScsiTask task, boolean rodTokenDescriptors) throws ScsiException {
        TokenOperation op = find(task);
        Sense s = op.sense();
        byte[] sense = s == null ? new byte[0] : task.encodeSense(s);
        return ScsiResult.good(TokenPages.status(op, sense, rodTokenDescriptors), task.cdb().u32(10));
    }

    // ---- REPORT ALL ROD TOKENS, SPC-4 6.22 ----

    /**
     * The live tokens whose source LU this initiator may read under the receiving target's copy
     * policy (the tokens it could use); other hosts' tokens are not shown.
     */
    private ScsiResult reportAll(ScsiTask task) {
        CopyTargets targets = CopyTargets.of(task);
        List<RodToken> visible = new ArrayList<>();
        for (RodToken t : ctx.tokens().live()) {
            if (targets.reach(t.source()) != null) {
                visible.add(t);
            }
        }
        return ScsiResult.good(TokenPages.allTokens(visible), task.cdb().u32(10));
    }

    // ---- COPY OPERATION ABORT, SPC-4 6.3 ----

    /**
     * Asks the operation to stop at its next slice and waits (bounded) until it has; RECEIVE ROD
     * TOKEN INFORMATION then reports COPY OPERATION STATUS 60h and the blocks written. An
     * operation already ended is left as it is.
     */
    private ScsiResult abort(ScsiTask task) throws ScsiException {
        TokenOperation op = find(task);
        op.requestAbort();
        try {
            if (!op.awaitEnd(ABORT_WAIT_MILLIS)) {
                log.warn("COPY OPERATION ABORT of list {} from {}: still stopping", op.listId(), task.nexus());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ScsiResult.good();
    }

    /** The operation the CDB's LIST IDENTIFIER (bytes 2..5) names on this nexus, or INVALID FIELD IN CDB. */
    private TokenOperation find(ScsiTask task) throws ScsiException {
        TokenOperation op = ctx.operations().find(task.nexus(), task.cdb().u32(2));
        if (op == null) {
            throw new ScsiException(Sense.invalidFieldInCdb(2, -1));
        }
        return op;
    }
}
