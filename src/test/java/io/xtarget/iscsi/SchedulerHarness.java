package io.xtarget.iscsi;

import io.xtarget.scsi.TaskAttribute;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.pdu.Bhs;
import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduCodec;
import io.xtarget.iscsi.pdu.PduException;
import io.xtarget.iscsi.pdu.PduFramer;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import io.xtarget.scsi.AbortOutcome;
import io.xtarget.scsi.BufferPool;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import io.xtarget.scsi.TaskManager;
import io.xtarget.testing.HeapStore;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One session's command path without a socket, for unit tests: a tiny core (MiniCommands, one
 * 4 MiB LU at LUN 0), a {@link Session}, an {@link Outbox} over an in-memory channel whose
 * output is parsed back into PDUs, a {@link DataBudget}, and a {@link CommandScheduler} whose
 * {@link Runner} only records what it is asked to do. Commands are created as
 * {@code Requests.onCommand} creates them; {@link #run} finishes one as {@code CommandRunner} does.
 * Work posted to "the connection's thread" is queued and run after each step, as between PDUs.
 */
final class SchedulerHarness {
    static final long MIB = 1 << 20;
    static final int UNSOLICITED = DataOutCollector.UNSOLICITED;

    final LogicalUnit lu;
    final ScsiCore core;
    final Session session;
    final OutboxTest.SlowChannel channel = new OutboxTest.SlowChannel();
    final Outbox outbox = new Outbox(channel, () -> {});
    final DataBudget budget;
    final Runner runner = new Runner();
    final CommandScheduler scheduler;
    final ResponseWriter responses;
    private final PduFramer framer = new PduFramer();
    private int readPos;
    /** Whether the last {@link #dataOut} found a place for its data. */
    boolean placed;

    /** Records what the scheduler asks for; ends aborted commands as {@code CommandRunner} does. */
    final class Runner implements CommandScheduler.Runner {
        final List<IscsiTask> started = new ArrayList<>();
        final List<IscsiTask> endedAborted = new ArrayList<>();
        final ArrayDeque<Runnable> posted = new ArrayDeque<>();

        @Override
        public void start(IscsiTask t) {
            started.add(t);
        }

        @Override
        public void endAborted(IscsiTask t) {
            endedAborted.add(t);
            scheduler.finishAborted(t, responses);
        }

        @Override
        public void post(Runnable r) {
            posted.add(r);
        }
    }

    SchedulerHarness() {
        this(params());
    }

    SchedulerHarness(SessionParams params) {
        this(params, 64 * MIB, 256 * MIB);
    }

    SchedulerHarness(SessionParams params, long sessionLimit, long serverLimit) {
        this(params, sessionLimit, serverLimit, false);
    }

    SchedulerHarness(SessionParams params, long sessionLimit, long serverLimit, boolean discovery) {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[15] = 1;
        lu = new LogicalUnit("ram0", new HeapStore(512, 8192), naa, "serial0", false);
        TargetPort port = IscsiPorts.targetPort(FabricFixture.IQN, 1, 1, 1, "127.0.0.1:3260");
        LunMap map = LunMap.of(List.of(new LunMapping(0, lu, false)));
        Target target = new Target(FabricFixture.IQN, List.of(port), map, Map.of(), CopyAccessPolicy.INITIATOR);
        core = new ScsiCore(OpcodeTable.builder().addAll(new MiniCommands()).build(), List.of(target));
        long isid = 0x23d000000001L;
        Nexus nexus = IscsiPorts.nexus("iqn.1994-05.com.example:host", isid, port);
        core.nexusFormed(nexus, map);
        session = new Session(1, discovery, nexus.initiatorName(), isid, target, nexus, map, params, 1);
        budget = new DataBudget(sessionLimit, serverLimit);
        session.account = budget.newAccount();
        outbox.start(1, false, false, session.window);
        responses = new ResponseWriter(outbox, () -> session.params);
        scheduler = new CommandScheduler(session, core, outbox, budget, runner);
        framer.setMaxRecvDataSegmentLength(1 << 24);
    }

    /** RFC 7143 defaults (InitialR2T=Yes, ImmediateData=Yes, MaxOutstandingR2T 1) with these keys applied. */
    static SessionParams params(String... keyValues) {
        SessionParams p = SessionParams.defaults(NegotiationKeys.TARGET_MAX_RECV_DATA_SEGMENT);
        for (int i = 0; i < keyValues.length; i += 2) {
            p = p.with(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    // ---------------------------------------------------------------- commands

    static ScsiCommandPdu command(boolean immediate, boolean fin, boolean read, boolean write,
            TaskAttribute attr, int itt, long expected, int cmdSn, byte[] cdb, byte[] data) {
        return new ScsiCommandPdu(immediate, fin, read, write, code(attr), 0, itt, expected, cmdSn, 1, cdb,
                data == null ? null : ByteBuffer.wrap(data));
    }

    /** The ATTR field for {@code attr} (RFC 7143 11.3.1). */
    static int code(TaskAttribute attr) {
        return switch (attr) {
            case SIMPLE -> 1;
            case ORDERED -> 2;
            case HEAD_OF_QUEUE -> 3;
            case ACA -> 4;
        };
    }

    static ScsiCommandPdu tur(int itt, int cmdSn) {
        return tur(itt, cmdSn, TaskAttribute.SIMPLE);
    }

    /** TEST UNIT READY: no data either way. */
    static ScsiCommandPdu tur(int itt, int cmdSn, TaskAttribute attr) {
        return command(false, true, false, false, attr, itt, 0, cmdSn, new byte[16], null);
    }

    /** READ(10) of {@code bytes} (a multiple of 512) from LBA 0. */
    static ScsiCommandPdu read(int itt, int cmdSn, int bytes) {
        return read(itt, cmdSn, bytes, TaskAttribute.SIMPLE);
    }

    static ScsiCommandPdu read(int itt, int cmdSn, int bytes, TaskAttribute attr) {
        return command(false, true, true, false, attr, itt, bytes, cmdSn, cdb(0x28, bytes), null);
    }

    /** WRITE(10) of {@code bytes} to LBA 0, no immediate data, F bit set. */
    static ScsiCommandPdu write(int itt, int cmdSn, int bytes) {
        return write(itt, cmdSn, bytes, 0, true, TaskAttribute.SIMPLE);
    }

    /** WRITE(10) of {@code bytes} carrying the first {@code immediate} bytes of {@link #pattern} as immediate data. */
    static ScsiCommandPdu write(int itt, int cmdSn, int bytes, int immediate, boolean fin, TaskAttribute attr) {
        return command(false, fin, false, true, attr, itt, bytes, cmdSn, cdb(0x2A, bytes),
                immediate == 0 ? null : pattern(itt, 0, immediate));
    }

    /** The same command with the I bit set. */
    static ScsiCommandPdu immediate(ScsiCommandPdu c) {
        return new ScsiCommandPdu(true, c.fin(), c.read(), c.write(), c.attributes(), c.lun(), c.itt(),
                c.expectedDataTransferLength(), c.cmdSn(), c.expStatSn(), c.cdb(), c.data());
    }

    private static byte[] cdb(int opcode, int bytes) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) opcode;
        int blocks = bytes / 512;
        cdb[7] = (byte) (blocks >> 8);
        cdb[8] = (byte) blocks;
        return cdb;
    }

    /** The data a test writes for a command: a pattern that depends on the ITT and the offset. */
    static byte[] pattern(int itt, long offset, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) ((offset + i) * 31 + itt);
        }
        return b;
    }

    /** The command as {@code Requests.onCommand} builds it, its immediate data already in its buffer. */
    IscsiTask task(ScsiCommandPdu c) {
        SessionParams p = session.params;
        int immediate = c.data().remaining();
        long expected = c.expectedDataTransferLength();
        DataOutCollector collector = c.write() && expected > 0
                ? new DataOutCollector(expected, immediate, unsolicited(c), p.firstBurstLength()) : null;
        IscsiTask t = new IscsiTask(c, collector);
        if (collector != null && immediate > 0) {
            t.dataBuffer = BufferPool.SHARED.take((int) expected);
            t.dataBuffer.put(0, c.data(), c.data().position(), immediate);
        }
        return t;
    }

    private boolean unsolicited(ScsiCommandPdu c) {
        return !session.params.initialR2T() && !c.fin();
    }

    /** Hands the command to the scheduler; false when it was dropped. */
    boolean offer(IscsiTask t) {
        boolean accepted = scheduler.arrive(t, t.pdu.data().remaining(), unsolicited(t.pdu));
        runPosted();
        return accepted;
    }

    /** A command that must be accepted. */
    IscsiTask arrive(ScsiCommandPdu c) {
        IscsiTask t = task(c);
        assertThat(offer(t)).as("accepted: %s", t).isTrue();
        return t;
    }

    // ---------------------------------------------------------------- Data-Out

    /**
     * One Data-Out PDU carrying {@link #pattern} bytes, as the connection reads it: header
     * placed, data copied where the scheduler said, then the whole PDU. Returns the Reject reason.
     */
    String dataOut(int itt, int ttt, int dataSn, long offset, int length, boolean fin) {
        byte[] data = pattern(itt, offset, length);
        DataOut d = new DataOut(fin, 0, itt, ttt, 0, dataSn, offset, ByteBuffer.wrap(data));
        ByteBuffer dst = scheduler.placeDataOut(new Bhs(PduCodec.header(d)), length);
        placed = dst != null;
        if (dst != null) {
            assertThat(dst.remaining()).isEqualTo(length);
            dst.duplicate().put(data);
        }
        String refused = scheduler.dataOutArrived(d);
        runPosted();
        return refused;
    }

    /** Answers an R2T with all its data in one PDU. */
    String answer(R2t r) {
        return dataOut(r.itt(), r.ttt(), 0, r.bufferOffset(), (int) r.desiredLength(), true);
    }

    // ---------------------------------------------------------------- running and ending

    /** Runs a started command and queues its response, as {@code CommandRunner.execute} does. */
    void run(IscsiTask t) {
        assertThat(runner.started).contains(t);
        ScsiResult r;
        if (t.failure != null) {
            r = ScsiResult.of(t.failure);
        } else {
            t.scsi.attachDataOut(t.dataOut());
            r = core.execute(t.scsi);
        }
        if (t.scsi.claimCompletion()) {
            ScsiResult result = r;
            scheduler.finish(t, onSent -> responses.complete(t, result, ResponseWriter.senseOf(t, result), onSent));
        } else {
            runner.endAborted(t);
        }
        runPosted();
    }

    /** ABORT TASK by the command's own nexus, through the core's task manager. */
    TaskManager.Aborted abort(IscsiTask t) {
        TaskManager.Aborted a = core.taskManager().abortTask(t.scsi, session.nexus);
        runPosted();
        return a;
    }

    /** Runs what was posted to the connection's thread (and what that posts in turn). */
    void runPosted() {
        Runnable r;
        while ((r = runner.posted.poll()) != null) {
            r.run();
        }
    }

    // ---------------------------------------------------------------- what went out

    /** Writes what is queued (running completions) and returns the PDUs sent since the last call. */
    List<Pdu> sent() {
        try {
            do {
                outbox.flush(); // completions may release budget and post work that sends more
                runPosted();
            } while (!outbox.isEmpty());
            byte[] all = channel.out.toByteArray();
            ByteBuffer src = ByteBuffer.wrap(all, readPos, all.length - readPos);
            List<Pdu> out = new ArrayList<>();
            Pdu p;
            while ((p = framer.feed(src, null)) != null) {
                out.add(p);
            }
            readPos = src.position();
            return out;
        } catch (java.io.IOException | PduException e) {
            throw new AssertionError(e);
        }
    }

    /** The R2Ts among the PDUs sent since the last call (nothing else may have been sent). */
    List<R2t> r2ts() {
        List<Pdu> out = sent();
        assertThat(out).allMatch(p -> p instanceof R2t);
        return out.stream().map(R2t.class::cast).toList();
    }

    /** Whether each command was started, in this order, and no other. */
    void assertStarted(IscsiTask... tasks) {
        assertThat(runner.started).containsExactly(tasks);
    }
}
