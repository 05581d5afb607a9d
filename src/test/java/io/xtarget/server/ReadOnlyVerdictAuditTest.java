package io.xtarget.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.CommandDescriptor;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.copy.CopyCommandSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every row of the standard opcode table with what a read-only mapping does with it. The core
 * decides from the row alone ({@link CommandDescriptor#refusedReadOnly}); this list is the
 * reviewed intent. A row added to the table without an entry here fails the test, so a new
 * command (FORMAT UNIT, SANITIZE, WRITE BUFFER, REGISTER AND MOVE, ...) cannot forget to decide.
 */
class ReadOnlyVerdictAuditTest {
    enum Verdict {
        /** Runs through a read-only mapping. */
        ALLOWED,
        /** WRITE PROTECTED for every CDB: it changes user data or state every I_T nexus shares. */
        REFUSED,
        /** WRITE PROTECTED for some CDBs only: see {@link #CASES}. */
        BY_CDB
    }

    static final Map<String, Verdict> VERDICTS = new LinkedHashMap<>();

    static {
        // SPC-4
        allowed("TEST UNIT READY", "REQUEST SENSE", "INQUIRY", "MODE SENSE(6)", "MODE SENSE(10)", "LOG SENSE");
        refused("MODE SELECT(6)", "MODE SELECT(10)"); // SPC-4 7.5: every page is shared (ModeState)
        refused("RESERVE(6)", "RESERVE(10)"); // SPC-2 5.5.1: locks out every other nexus
        allowed("RELEASE(6)", "RELEASE(10)"); // only ever ends the sender's own reservation
        allowed("PERSISTENT RESERVE IN / READ KEYS", "PERSISTENT RESERVE IN / READ RESERVATION",
                "PERSISTENT RESERVE IN / REPORT CAPABILITIES", "PERSISTENT RESERVE IN / READ FULL STATUS");
        // SPC-4 5.12: REGISTER only adds/changes/removes the nexus's own key (no SPEC_I_PT, ALL_TG_PT)
        allowed("PERSISTENT RESERVE OUT / REGISTER", "PERSISTENT RESERVE OUT / REGISTER AND IGNORE EXISTING KEY");
        refused("PERSISTENT RESERVE OUT / RESERVE", "PERSISTENT RESERVE OUT / RELEASE",
                "PERSISTENT RESERVE OUT / CLEAR", "PERSISTENT RESERVE OUT / PREEMPT",
                "PERSISTENT RESERVE OUT / PREEMPT AND ABORT");
        allowed("REPORT LUNS", "REPORT TARGET PORT GROUPS", "REPORT SUPPORTED OPERATION CODES",
                "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS");
        // SPC-4 5.15: the access states of the LU's target port groups, which every I_T nexus sees;
        // on a gateway it moves the RBD image between gateways
        refused("SET TARGET PORT GROUPS");
        // SBC-3: user data
        allowed("READ(6)", "READ(10)", "READ(12)", "READ(16)", "VERIFY(10)", "VERIFY(12)", "VERIFY(16)",
                "GET LBA STATUS", "READ CAPACITY(10)", "READ CAPACITY(16)");
        refused("WRITE(6)", "WRITE(10)", "WRITE(12)", "WRITE(16)", "WRITE AND VERIFY(10)", "WRITE AND VERIFY(12)",
                "WRITE AND VERIFY(16)", "COMPARE AND WRITE", "ORWRITE(16)", "WRITE SAME(10)", "WRITE SAME(16)",
                "UNMAP", "WRITE ATOMIC(16)");
        // SBC-4 5.30: every SANITIZE service action rewrites or deallocates the whole medium, or
        // (EXIT FAILURE MODE) makes the LU accept commands again for every nexus
        refused("SANITIZE / OVERWRITE", "SANITIZE / BLOCK ERASE", "SANITIZE / EXIT FAILURE MODE");
        allowed("READ DEFECT DATA(10)", "READ DEFECT DATA(12)"); // SBC-3 5.17/5.18: reads a list
        // SBC-3: cache and unit; flushing and prefetching change no data
        allowed("SYNCHRONIZE CACHE(10)", "SYNCHRONIZE CACHE(16)", "PRE-FETCH(10)", "PRE-FETCH(16)");
        VERDICTS.put("START STOP UNIT", Verdict.BY_CDB); // SBC-3 5.25: LOEJ moves the medium
        allowed("PREVENT ALLOW MEDIUM REMOVAL"); // per I_T nexus, ends with it (SPC-4 6.13)
        // SPC-4 6.4: the copy manager refuses a read-only destination per segment (CopyPlanner)
        allowed("EXTENDED COPY(LID1)", "RECEIVE COPY RESULTS(COPY STATUS)",
                "RECEIVE COPY RESULTS(OPERATING PARAMETERS)", "RECEIVE COPY RESULTS(FAILED SEGMENT DETAILS)");
        // SBC-3 token copy: POPULATE TOKEN reads the source; WRITE USING TOKEN writes the LU it addresses;
        // COPY OPERATION ABORT ends only this nexus's own operation; the rest report
        allowed("POPULATE TOKEN", "COPY OPERATION ABORT", "RECEIVE COPY STATUS(LID4)", "RECEIVE ROD TOKEN INFORMATION",
                "REPORT ALL ROD TOKENS");
        refused("WRITE USING TOKEN");
    }

    /** For the {@link Verdict#BY_CDB} rows: CDBs and whether a read-only mapping refuses them. */
    static final Map<String, Map<Cdb, Boolean>> CASES = Map.of("START STOP UNIT", Map.of(
            Cdb.of(0x1B, 0, 0, 0, 0x02, 0), true, // LOEJ=1 START=0: eject
            Cdb.of(0x1B, 0, 0, 0, 0x03, 0), true, // LOEJ=1 START=1: load
            Cdb.of(0x1B, 0, 0, 0, 0x06, 0), true, // eject, NO_FLUSH
            Cdb.of(0x1B, 0, 0, 0, 0x01, 0), false, // START=1
            Cdb.of(0x1B, 0, 0, 0, 0x00, 0), false, // START=0: flush only, the unit stays ready
            Cdb.of(0x1B, 0, 0, 0, 0x22, 0), false)); // POWER CONDITION 2h: LOEJ is ignored

    static void allowed(String... names) {
        for (String n : names) {
            VERDICTS.put(n, Verdict.ALLOWED);
        }
    }

    static void refused(String... names) {
        for (String n : names) {
            VERDICTS.put(n, Verdict.REFUSED);
        }
    }

    final CopyCommandSet copy = new CopyCommandSet();
    final OpcodeTable table = StandardCommands.table(copy);

    @AfterEach
    void close() {
        copy.close();
    }

    /** A CDB of the row's length with only its opcode and service action set. */
    static Cdb plain(CommandDescriptor d) {
        int[] b = new int[d.cdbUsage().length];
        b[0] = d.opcode();
        if (d.hasServiceAction()) {
            b[1] = d.serviceAction();
        }
        return Cdb.of(b);
    }

    @Test
    void everyRowHasAVerdict() {
        Set<String> names = new HashSet<>();
        for (CommandDescriptor d : table.all()) {
            assertThat(names.add(d.name())).as("row names are unique: %s", d.name()).isTrue();
            assertThat(VERDICTS).as("row %s (opcode %02Xh) has no read-only verdict in this test: decide it",
                    d.name(), d.opcode()).containsKey(d.name());
        }
        assertThat(names).as("verdicts of rows that no longer exist").containsAll(VERDICTS.keySet());
    }

    @Test
    void theTableMatchesTheVerdicts() {
        for (CommandDescriptor d : table.all()) {
            Verdict v = VERDICTS.get(d.name());
            switch (v) {
                case ALLOWED -> {
                    assertThat(d.refusedReadOnly(plain(d))).as(d.name()).isFalse();
                    assertThat(d.has(CommandDescriptor.Flag.SHARED_STATE)).as(d.name()).isFalse();
                }
                case REFUSED -> {
                    assertThat(d.refusedReadOnly(plain(d))).as(d.name()).isTrue();
                    assertThat(d.sharedStateWhen()).as("%s: refused whatever the CDB", d.name())
                            .isSameAs(CommandDescriptor.EVERY_CDB);
                }
                case BY_CDB -> {
                    assertThat(CASES).as("cases for %s", d.name()).containsKey(d.name());
                    CASES.get(d.name()).forEach((cdb, refused) ->
                            assertThat(d.refusedReadOnly(cdb)).as("%s %s", d.name(), cdb).isEqualTo(refused));
                }
            }
        }
        assertThat(CASES.keySet()).allMatch(n -> VERDICTS.get(n) == Verdict.BY_CDB);
    }

    @Test
    void refusedRowsChangeUserDataOrCarryTheSharedStateFlag() {
        List<String> refusedWithoutReason = table.all().stream()
                .filter(d -> VERDICTS.get(d.name()) != Verdict.ALLOWED)
                .filter(d -> d.access() != io.xtarget.scsi.MediumAccess.WRITE
                        && !d.has(CommandDescriptor.Flag.SHARED_STATE))
                .map(CommandDescriptor::name).toList();
        assertThat(refusedWithoutReason).isEmpty();
    }
}
