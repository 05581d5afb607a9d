package io.xtarget.scsi.copy;

import static io.xtarget.scsi.copy.CopyFixture.heap;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.MissingStore;
import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.AccessCheck;
import io.xtarget.scsi.AccessCheck.Refusal;
import io.xtarget.scsi.AccessCheck.Request;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ReservationType;
import io.xtarget.scsi.Reservations;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.UnitAttentions;
import io.xtarget.scsi.sbc.SbcCommandSet;
import io.xtarget.scsi.spc.SpcCommandSet;
import io.xtarget.testing.HeapStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One access check for commands and copies ({@link AccessCheck}): for each condition on an LU X,
 * a READ(16) and a WRITE(16) sent to X, and an EXTENDED COPY sent to another LU that reads X
 * (source) or writes X (destination), get the answers of one row of this table. The copy's
 * answers are the command's, mapped as {@link CopyAccess} documents: RESERVATION CONFLICT and
 * DATA PROTECT stay, NOT READY and MEDIUM ERROR become COPY ABORTED / COPY TARGET DEVICE NOT
 * REACHABLE (0Dh/02h); a refused copy changes nothing.
 */
class AccessTableTest {
    static final String OTHER = "iqn.2026-01.test:other";
    static final int C = 0, X = 1, Y = 2; // the XCOPY goes to C; X is the LU under test; Y the other end

    /** An expected answer: a status, and for CHECK CONDITION the sense key, ASC and ASCQ. */
    record Answer(ScsiStatus status, int key, int asc, int ascq) {
        static final Answer GOOD = new Answer(ScsiStatus.GOOD, 0, 0, 0);
        static final Answer CONFLICT = new Answer(ScsiStatus.RESERVATION_CONFLICT, 0, 0, 0);
        static final Answer UNREACHABLE = check(SenseKey.COPY_ABORTED, 0x0D, 0x02);

        static Answer check(int key, int asc, int ascq) {
            return new Answer(ScsiStatus.CHECK_CONDITION, key, asc, ascq);
        }

        static Answer of(ScsiResult r) {
            return r.status() != ScsiStatus.CHECK_CONDITION ? new Answer(r.status(), 0, 0, 0)
                    : check(r.sense().key(), r.sense().asc(), r.sense().ascq());
        }
    }

    /** How X is built and what is done to it. */
    enum Setup { PLAIN, READ_ONLY, MISSING, REMOVABLE }

    interface Condition {
        void apply(AccessTableTest t) throws Exception;
    }

    record Row(String name, Setup setup, Condition condition, Refusal readRefusal, Refusal writeRefusal,
            Answer read, Answer write, Answer copyFrom, Answer copyTo) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Row pr(ReservationType type, boolean readConflicts) {
        Answer read = readConflicts ? Answer.CONFLICT : Answer.GOOD;
        return new Row("persistent reservation type " + type.code() + " of another nexus", Setup.PLAIN, t -> {
            Reservations r = t.x.reservations();
            r.register(t.other, 0, 0x1234, false, false);
            r.reserve(t.other, 0x1234, type);
        }, readConflicts ? Refusal.RESERVATION_CONFLICT : null, Refusal.RESERVATION_CONFLICT, read, Answer.CONFLICT,
                read, Answer.CONFLICT);
    }

    static Stream<Row> rows() {
        Answer notReadyMissing = Answer.check(SenseKey.NOT_READY, 0x04, 0x03);
        Answer notPresent = Answer.check(SenseKey.NOT_READY, 0x3A, 0x00);
        Answer sanitizing = Answer.check(SenseKey.NOT_READY, 0x04, 0x1B);
        Answer sanitizeFailed = Answer.check(SenseKey.MEDIUM_ERROR, 0x31, 0x03);
        Answer writeProtected = Answer.check(SenseKey.DATA_PROTECT, 0x27, 0x00);
        Answer swp = Answer.check(SenseKey.DATA_PROTECT, 0x27, 0x02);
        return Stream.of(
                new Row("nothing", Setup.PLAIN, t -> {}, null, null, Answer.GOOD, Answer.GOOD, Answer.GOOD,
                        Answer.GOOD),
                new Row("SPC-2 reservation of another nexus", Setup.PLAIN, t -> t.x.reservations().reserve(t.other),
                        Refusal.RESERVATION_CONFLICT, Refusal.RESERVATION_CONFLICT, Answer.CONFLICT, Answer.CONFLICT,
                        Answer.CONFLICT, Answer.CONFLICT),
                pr(ReservationType.WRITE_EXCLUSIVE, false),
                pr(ReservationType.EXCLUSIVE_ACCESS, true),
                pr(ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, false),
                pr(ReservationType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, true),
                pr(ReservationType.WRITE_EXCLUSIVE_ALL_REGISTRANTS, false),
                pr(ReservationType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS, true),
                new Row("read-only mapping", Setup.READ_ONLY, t -> {}, null, Refusal.READ_ONLY_MAPPING, Answer.GOOD,
                        writeProtected, Answer.GOOD, writeProtected),
                new Row("software write protect", Setup.PLAIN, t -> t.x.mode().softwareWriteProtect = true, null,
                        Refusal.SOFTWARE_WRITE_PROTECT, Answer.GOOD, swp, Answer.GOOD, swp),
                new Row("missing image", Setup.MISSING, t -> {}, Refusal.IMAGE_MISSING, Refusal.IMAGE_MISSING,
                        notReadyMissing, notReadyMissing, Answer.UNREACHABLE, Answer.UNREACHABLE),
                new Row("ejected medium", Setup.REMOVABLE, t -> assertThat(t.x.medium().eject()).isTrue(),
                        Refusal.MEDIUM_NOT_PRESENT, Refusal.MEDIUM_NOT_PRESENT, notPresent, notPresent,
                        Answer.UNREACHABLE, Answer.UNREACHABLE),
                new Row("sanitize in progress", Setup.PLAIN, AccessTableTest::sanitizeRunning,
                        Refusal.SANITIZE_IN_PROGRESS, Refusal.SANITIZE_IN_PROGRESS, sanitizing, sanitizing,
                        Answer.UNREACHABLE, Answer.UNREACHABLE),
                new Row("sanitize failed", Setup.PLAIN, AccessTableTest::sanitizeFailed, Refusal.SANITIZE_FAILED,
                        Refusal.SANITIZE_FAILED, sanitizeFailed, sanitizeFailed, Answer.UNREACHABLE,
                        Answer.UNREACHABLE));
    }

    LogicalUnit c;
    LogicalUnit x;
    LogicalUnit y;
    LunMap lunMap;
    ScsiCore core;
    Nexus host;
    Nexus other;
    final CountDownLatch sanitizeGate = new CountDownLatch(1);

    void build(Setup setup) throws IOException {
        c = CopyFixture.lu("c", 512, 64, 1);
        y = CopyFixture.lu("y", 512, 64, 3);
        byte[] naa = CopyFixture.lu("naa", 512, 1, 2).naa();
        x = switch (setup) {
            case MISSING -> new LogicalUnit("x", new MissingStore(Path.of("/nonexistent/x.img"), "file", 512, 64 * 512),
                    naa, "SN2", false);
            case REMOVABLE -> new LogicalUnit("x", new HeapStore(512, 64), naa, "SN2", false, true);
            default -> new LogicalUnit("x", new HeapStore(512, 64), naa, "SN2", false);
        };
        lunMap = CopyFixture.map(new LunMapping(C, c, false), new LunMapping(X, x, setup == Setup.READ_ONLY),
                new LunMapping(Y, y, false));
        Target t = CopyFixture.target("iqn.t1", 1, lunMap, CopyAccessPolicy.INITIATOR);
        CopyCommandSet copy = new CopyCommandSet(CopyLimits.DEFAULT, new CopyEngine(4096, 64 * 4096));
        core = new ScsiCore(OpcodeTable.builder().addAll(new SpcCommandSet()).addAll(new SbcCommandSet())
                .addAll(copy).build(), List.of(t));
        host = IscsiPorts.nexus(CopyFixture.INITIATOR, 1, t.ports().get(0));
        other = IscsiPorts.nexus(OTHER, 2, t.ports().get(0));
        core.nexusFormed(host, lunMap);
        CopyFixture.fill(c, 1);
        CopyFixture.fill(y, 3);
        if (x.store() instanceof HeapStore) {
            CopyFixture.fill(x, 2);
        }
    }

    @AfterEach
    void releaseSanitize() {
        sanitizeGate.countDown();
    }

    static void sanitizeRunning(AccessTableTest t) throws ScsiException {
        t.x.sanitize().start("test", false, progress -> t.sanitizeGate.await());
    }

    static void sanitizeFailed(AccessTableTest t) throws Exception {
        try {
            t.x.sanitize().start("test", true, progress -> {
                throw new IOException("injected");
            }).join();
        } catch (java.util.concurrent.CompletionException expected) {
            // the operation failed: the LU is in sanitize failure mode
        }
    }

    ScsiResult run(int lun, byte[] cdb, byte[] dataOut) {
        int[] c16 = new int[cdb.length];
        for (int i = 0; i < cdb.length; i++) {
            c16[i] = cdb[i] & 0xFF;
        }
        return core.execute(new ScsiTask(core, host, lunMap, lun, Cdb.of(c16),
                dataOut == null ? null : ByteBuffer.wrap(dataOut), 1));
    }

    static byte[] rw16(int op, long lba, int blocks) {
        return ByteBuffer.allocate(16).put(0, (byte) op).putLong(2, lba).putInt(10, blocks).array();
    }

    ScsiResult xcopy(LogicalUnit from, LogicalUnit to) {
        byte[] list = new CopyFixture.Params().cscd(from).cscd(to).b2b(0, 1, 8, 0, 8).build();
        byte[] cdb = ByteBuffer.allocate(16).put(0, (byte) 0x83).putInt(10, list.length).array();
        return run(C, cdb, list);
    }

    static byte[] blocks(LogicalUnit lu, int lba, int n) {
        return Arrays.copyOfRange(heap(lu).bytes(), lba * 512, (lba + n) * 512);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void aCommandAndACopyGetTheAnswersOfOneRow(Row row) throws Exception {
        build(row.setup());
        row.condition().apply(this);
        LunMapping mx = lunMap.get(X);

        // the shared function: the copy manager's requests are refused as READ and WRITE commands are
        assertThat(refusal(AccessCheck.check(host, mx, Request.COPY_READ))).as("COPY_READ").isEqualTo(row.readRefusal());
        assertThat(refusal(AccessCheck.check(host, mx, Request.COPY_WRITE))).as("COPY_WRITE")
                .isEqualTo(row.writeRefusal());

        byte[] yBefore = blocks(y, 8, 8);
        ScsiResult from = xcopy(x, y);
        assertThat(Answer.of(from)).as("XCOPY from X " + from.sense()).isEqualTo(row.copyFrom());
        if (row.copyFrom() == Answer.GOOD) {
            assertThat(blocks(y, 8, 8)).isEqualTo(blocks(x, 0, 8));
        } else {
            assertThat(blocks(y, 8, 8)).as("nothing copied").isEqualTo(yBefore);
            if (from.sense() != null) {
                assertThat(from.sense().commandSpecific()).as("failing segment").isZero();
            }
        }
        byte[] xBefore = x.store() instanceof HeapStore ? blocks(x, 8, 8) : null;
        ScsiResult to = xcopy(y, x);
        assertThat(Answer.of(to)).as("XCOPY to X " + to.sense()).isEqualTo(row.copyTo());
        if (xBefore != null) {
            assertThat(blocks(x, 8, 8)).isEqualTo(row.copyTo() == Answer.GOOD ? blocks(y, 0, 8) : xBefore);
        }

        assertThat(Answer.of(run(X, rw16(0x88, 0, 1), null))).as("READ(16)").isEqualTo(row.read());
        assertThat(Answer.of(run(X, rw16(0x8A, 0, 1), new byte[512]))).as("WRITE(16)").isEqualTo(row.write());
    }

    static Refusal refusal(AccessCheck.Denial d) {
        return d == null ? null : d.refusal();
    }

    /**
     * A copy takes no unit attention: its access to a copy target is not a command of that I_T
     * nexus (SPC-4 6.4, SAM-5 5.14); the next command of the nexus to that LU still gets it.
     */
    @Test
    void aCopyLeavesAPendingUnitAttentionForTheNextCommand() throws Exception {
        build(Setup.PLAIN);
        x.unitAttentions().establish(host, UnitAttentions.MODE_PARAMETERS_CHANGED);
        assertThat(AccessCheck.check(host, lunMap.get(X), Request.COPY_READ)).isNull();
        assertThat(Answer.of(xcopy(x, y))).isEqualTo(Answer.GOOD);
        assertThat(Answer.of(xcopy(y, x))).isEqualTo(Answer.GOOD);
        assertThat(Answer.of(run(X, rw16(0x88, 0, 1), null))).isEqualTo(Answer.check(SenseKey.UNIT_ATTENTION, 0x2A,
                0x01));
        assertThat(Answer.of(run(X, rw16(0x88, 0, 1), null))).isEqualTo(Answer.GOOD);
    }

    /** An LU the copy's initiator does not reach answers like a LUN without an LU does for a command. */
    @Test
    void noMappingIsLunNotSupportedForACommandAndUnreachableForACopy() throws Exception {
        build(Setup.PLAIN);
        AccessCheck.Denial d = AccessCheck.check(host, null, Request.COPY_WRITE);
        assertThat(d.refusal()).isEqualTo(Refusal.LUN_NOT_SUPPORTED);
        assertThat(Answer.of(run(7, rw16(0x88, 0, 1), null)))
                .isEqualTo(Answer.check(SenseKey.ILLEGAL_REQUEST, 0x25, 0x00));
        assertThat(Answer.of(ScsiResult.of(CopyAccess.refused(d, 3)))).isEqualTo(Answer.UNREACHABLE);
        assertThat(CopyAccess.refused(d, 3).sense().commandSpecific()).isEqualTo(3);
    }
}
