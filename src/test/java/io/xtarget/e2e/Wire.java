package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.xtarget.initiator.SenseData;
import io.xtarget.iscsi.pdu.DataIn;
import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.NopOut;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.Reject;
import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Raw-PDU helpers for the connection-layer acceptance tests: logins with chosen data-transfer keys,
 * commands and Data-Out PDUs built by hand, and how a command ended. Every read has a deadline.
 * All commands address LUN 0.
 */
public final class Wire {
    public static final int RESERVED_TAG = 0xFFFFFFFF;
    public static final int GOOD = 0x00;
    public static final int CHECK_CONDITION = 0x02;
    public static final int TASK_ABORTED = 0x40;
    public static final int ABORTED_COMMAND = 0x0B;
    /** How long a test waits for the end of a command whose Data-Out broke the rules. */
    public static final Duration OUTCOME_WAIT = Duration.ofSeconds(5);
    /** How long a test waits for a PDU that must come. */
    public static final Duration PROMPT = Duration.ofSeconds(5);
    private static final int DATA_PDU = 8192;

    private Wire() {}

    // ---------------------------------------------------------------- logins

    /** Data only by R2T: ImmediateData=No, InitialR2T=Yes, both burst lengths {@code burst}, one R2T at a time. */
    public static Map<String, String> r2tOnly(int burst) {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("ImmediateData", "No");
        k.put("InitialR2T", "Yes");
        k.put("FirstBurstLength", Integer.toString(burst));
        k.put("MaxBurstLength", Integer.toString(burst));
        k.put("MaxOutstandingR2T", "1");
        return k;
    }

    /** One unsolicited burst of Data-Out allowed (InitialR2T=No), no immediate data, one R2T at a time. */
    public static Map<String, String> unsolicited(int firstBurst, int maxBurst) {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("ImmediateData", "No");
        k.put("InitialR2T", "No");
        k.put("FirstBurstLength", Integer.toString(firstBurst));
        k.put("MaxBurstLength", Integer.toString(maxBurst));
        k.put("MaxOutstandingR2T", "1");
        return k;
    }

    public static long isidFor(String initiatorName) {
        return 0x00023d000000L | (initiatorName.hashCode() & 0xFFFFFF);
    }

    /** Logs in to {@link E2eServer#TARGET} offering {@code keys}, checks the target agreed, clears unit attentions. */
    public static RawSession login(E2eServer server, String initiatorName, Map<String, String> keys)
            throws IOException {
        return login(server.address(), E2eServer.TARGET, initiatorName, keys, true);
    }

    public static RawSession login(InetSocketAddress address, String target, String initiatorName,
            Map<String, String> keys, boolean clearUnitAttentions) throws IOException {
        RawSession raw = RawSession.login(address, target, initiatorName, isidFor(initiatorName), keys);
        try {
            assertThat(raw.loggedIn()).as("login of %s: %s", initiatorName, raw.login()).isTrue();
            Map<String, String> answered = raw.loginKeys();
            // RFC 7143 13.14: FirstBurstLength is Irrelevant when no unsolicited data is allowed.
            keys.forEach((k, v) -> assertThat(answered.get(k)).as("the target's answer to %s=%s", k, v)
                    .isIn(v, "Irrelevant"));
            if (clearUnitAttentions) {
                raw.clearUnitAttentions();
            }
            return raw;
        } catch (IOException | RuntimeException | Error e) {
            raw.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- PDUs

    /** A SCSI Command PDU; a non-immediate one takes the session's next CmdSN. */
    public static ScsiCommandPdu command(RawSession raw, boolean immediate, int itt, byte[] cdb, boolean read,
            boolean write, long expectedLength, boolean fin, ByteBuffer immediateData) {
        int cmdSn = immediate ? raw.currentCmdSn() : raw.takeCmdSn();
        return commandWithCmdSn(raw, immediate, itt, cmdSn, cdb, read, write, expectedLength, fin, immediateData);
    }

    public static ScsiCommandPdu commandWithCmdSn(RawSession raw, boolean immediate, int itt, int cmdSn, byte[] cdb,
            boolean read, boolean write, long expectedLength, boolean fin, ByteBuffer immediateData) {
        return new ScsiCommandPdu(immediate, fin, read, write, 1, 0, itt, expectedLength, cmdSn, raw.expStatSn(),
                Arrays.copyOf(cdb, 16), immediateData);
    }

    /**
     * WRITE(10) of {@code blocks} 512-byte blocks, no immediate data. {@code fin} is clear when
     * unsolicited Data-Out follows (RFC 7143 11.3.4).
     */
    public static ScsiCommandPdu write10(RawSession raw, int itt, long lba, int blocks, boolean fin) {
        return command(raw, false, itt, Scsi.write10(lba, blocks), false, true, blocks * 512L, fin, null);
    }

    public static ScsiCommandPdu testUnitReady(RawSession raw, int itt) {
        return command(raw, false, itt, Scsi.testUnitReady(), false, false, 0, true, null);
    }

    /** A Data-Out PDU carrying {@code src[from, from+len)} at buffer offset {@code offset}. */
    public static DataOut dataOut(RawSession raw, int itt, int ttt, int dataSn, long offset, byte[] src, int from,
            int len, boolean fin) {
        return new DataOut(fin, 0, itt, ttt, raw.expStatSn(), dataSn, offset,
                ByteBuffer.wrap(Arrays.copyOfRange(src, from, from + len)));
    }

    /** Answers an R2T as a correct initiator does: its range of {@code src}, DataSN from 0, F on the last PDU. */
    public static void answer(RawSession raw, R2t r2t, byte[] src) throws IOException {
        long end = r2t.bufferOffset() + r2t.desiredLength();
        int dataSn = 0;
        for (long off = r2t.bufferOffset(); off < end; off += DATA_PDU) {
            int len = (int) Math.min(DATA_PDU, end - off);
            raw.send(dataOut(raw, r2t.itt(), r2t.ttt(), dataSn++, off, src, (int) off, len, off + len == end));
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads until an R2T for {@code itt} and checks its range; fails on anything that ends the command first. */
    public static R2t expectR2t(RawSession raw, int itt, long offset, long length) throws IOException {
        long deadline = System.nanoTime() + PROMPT.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            Pdu p = raw.read(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (p instanceof R2t r && r.itt() == itt) {
                assertThat(r.bufferOffset()).as("R2T buffer offset, after %s", seen).isEqualTo(offset);
                assertThat(r.desiredLength()).as("R2T desired length, after %s", seen).isEqualTo(length);
                return r;
            }
            if (p instanceof Reject || (p instanceof ScsiResponsePdu s && s.itt() == itt)) {
                fail("expected an R2T for task 0x%x, got %s (before %s)", itt, describe(p), seen);
            }
            if (p != null) {
                seen.add(describe(p));
            }
        }
        return fail("no R2T for task 0x%x within %s; seen %s", itt, PROMPT, seen);
    }

    /** Sends an immediate NOP-Out ping and reads until its NOP-In; returns every PDU read, the NOP-In last. */
    public static List<Pdu> ping(RawSession raw, int itt) throws IOException {
        raw.send(new NopOut(true, 0, itt, RESERVED_TAG, raw.currentCmdSn(), raw.expStatSn(), null));
        return collectUntil(raw, p -> p instanceof NopIn n && n.itt() == itt,
                "NOP-In for ping 0x" + Integer.toHexString(itt));
    }

    /** Reads until a PDU matches {@code last}; returns every PDU read, the match last. Fails after {@link #PROMPT}. */
    public static List<Pdu> collectUntil(RawSession raw, Predicate<Pdu> last, String what) throws IOException {
        List<Pdu> seen = new ArrayList<>();
        long deadline = System.nanoTime() + PROMPT.toNanos();
        while (System.nanoTime() < deadline) {
            Pdu p = raw.read(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (p != null) {
                seen.add(p);
                if (last.test(p)) {
                    return seen;
                }
            }
        }
        return fail("no %s within %s; seen %s", what, PROMPT, seen.stream().map(Wire::describe).toList());
    }

    /** How a command ended, as far as the initiator can see. */
    public enum Kind { RESPONSE, REJECT, CLOSED, NOTHING }

    public record Outcome(Kind kind, ScsiResponsePdu response, Reject reject, String closed, List<String> seen) {
        @Override
        public String toString() {
            String end = switch (kind) {
                case RESPONSE -> describe(response);
                case REJECT -> describe(reject);
                case CLOSED -> "connection closed (" + closed + ")";
                case NOTHING -> "nothing";
            };
            return end + ", after " + seen;
        }
    }

    /**
     * Collects PDUs until the SCSI Response for {@code itt}, a Reject, the connection's end, or
     * {@code wait} (then {@link Kind#NOTHING}). R2Ts for {@code itt} are answered from
     * {@code answerWith} as a correct initiator would, unless it is null.
     */
    public static Outcome awaitOutcome(RawSession raw, int itt, Duration wait, byte[] answerWith) {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Pdu p = raw.read(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (p == null) {
                    break;
                }
                if (p instanceof ScsiResponsePdu r && r.itt() == itt) {
                    return new Outcome(Kind.RESPONSE, r, null, null, seen);
                }
                if (p instanceof Reject j) {
                    return new Outcome(Kind.REJECT, null, j, null, seen);
                }
                seen.add(describe(p));
                if (p instanceof R2t r && r.itt() == itt && answerWith != null) {
                    answer(raw, r, answerWith);
                    seen.add("(answered)");
                }
            }
        } catch (IOException e) {
            return new Outcome(Kind.CLOSED, null, null, String.valueOf(e), seen);
        }
        return new Outcome(Kind.NOTHING, null, null, null, seen);
    }

    /**
     * RFC 7143 11.7, 11.8, 13.18-13.19: a WRITE whose Data-Out broke the rules never ends GOOD. Accepted:
     * a Reject, CHECK CONDITION with ABORTED COMMAND (ASC 0Ch or 4Bh family), or the connection closed.
     */
    public static void assertRefused(int itt, Outcome o) {
        switch (o.kind()) {
            case REJECT, CLOSED -> { }
            case NOTHING -> fail("task 0x%x: no SCSI Response, Reject or close within %s (the target still waits"
                    + " for data the initiator will not send); PDUs seen: %s", itt, OUTCOME_WAIT, o.seen());
            case RESPONSE -> {
                ScsiResponsePdu r = o.response();
                if (r.status() == GOOD) {
                    fail("task 0x%x ended GOOD although its Data-Out broke the rules: expected a Reject, CHECK"
                            + " CONDITION ABORTED COMMAND (0Ch/4Bh) or a closed connection; %s", itt, o);
                }
                assertThat(r.status()).as("status of task 0x%x: %s", itt, o).isEqualTo(CHECK_CONDITION);
                SenseData s = sense(r).orElseThrow(() -> new AssertionError("CHECK CONDITION without sense: " + o));
                assertThat(s.senseKey()).as("sense key, %s", o).isEqualTo(ABORTED_COMMAND);
                assertThat(s.asc()).as("ASC, %s", o).isIn(0x0C, 0x4B);
            }
        }
    }

    /** Runs a command to its SCSI Response, answering R2Ts from {@code dataOut} (null: no data). */
    public static ScsiResponsePdu run(RawSession raw, int itt, byte[] cdb, byte[] dataOut) throws IOException {
        raw.send(command(raw, false, itt, cdb, false, dataOut != null, dataOut == null ? 0 : dataOut.length, true,
                null));
        Outcome o = awaitOutcome(raw, itt, PROMPT, dataOut);
        assertThat(o.kind()).as("command 0x%02x: %s", cdb[0], o).isEqualTo(Kind.RESPONSE);
        return o.response();
    }

    /**
     * TEST UNIT READY until GOOD (at most 5): the sense codes ("6/2A/05") of the unit attentions
     * reported on the way, oldest first.
     */
    public static List<String> unitAttentions(RawSession raw, int firstItt) throws IOException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ScsiResponsePdu r = run(raw, firstItt + i, Scsi.testUnitReady(), null);
            if (r.status() == GOOD) {
                return out;
            }
            assertThat(sense(r).map(SenseData::senseKey)).as("TEST UNIT READY: %s", describe(r))
                    .contains(Scsi.UNIT_ATTENTION);
            out.add(senseCode(r));
        }
        return fail("unit attentions did not clear: %s", out);
    }

    /** Runs {@code action} on its own thread and fails unless it completes within {@code limit}. */
    public static <T> T within(Duration limit, String what, Callable<T> action) throws Exception {
        FutureTask<T> task = new FutureTask<>(action);
        Thread.ofVirtual().name("within: " + what).start(task);
        try {
            return task.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            return fail("%s did not complete within %s", what, limit);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : new RuntimeException(e.getCause());
        }
    }

    // ---------------------------------------------------------------- descriptions

    public static Optional<SenseData> sense(ScsiResponsePdu r) {
        return SenseData.parse(r.sense());
    }

    /** "KEY/ASC/ASCQ" in hex, or "-" without sense. */
    public static String senseCode(ScsiResponsePdu r) {
        return sense(r).map(s -> String.format("%X/%02X/%02X", s.senseKey(), s.asc(), s.ascq())).orElse("-");
    }

    public static String describe(Pdu p) {
        return switch (p) {
            case null -> "nothing";
            case ScsiResponsePdu r -> String.format("SCSI Response(itt 0x%x, status 0x%02x, sense %s, ExpCmdSN %d)",
                    r.itt(), r.status(), senseCode(r), r.expCmdSn());
            case R2t r -> String.format("R2T(itt 0x%x, ttt 0x%x, offset %d, length %d)", r.itt(), r.ttt(),
                    r.bufferOffset(), r.desiredLength());
            case Reject j -> String.format("Reject(reason 0x%02x)", j.reason());
            case DataIn d -> String.format("Data-In(itt 0x%x, offset %d, %d bytes)", d.itt(), d.bufferOffset(),
                    d.data().remaining());
            case NopIn n -> String.format("NOP-In(itt 0x%x, ExpCmdSN %d)", n.itt(), n.expCmdSn());
            case TaskMgmtResponse t -> String.format("TMF Response(itt 0x%x, response %d, ExpCmdSN %d)", t.itt(),
                    t.response(), t.expCmdSn());
            default -> p.getClass().getSimpleName();
        };
    }
}
