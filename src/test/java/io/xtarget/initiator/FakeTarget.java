package io.xtarget.initiator;

import io.xtarget.initiator.TextKeys.Pair;
import io.xtarget.iscsi.pdu.DataIn;
import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.iscsi.pdu.LoginRequest;
import io.xtarget.iscsi.pdu.LoginResponse;
import io.xtarget.iscsi.pdu.LogoutRequest;
import io.xtarget.iscsi.pdu.LogoutResponse;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.NopOut;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduChannel;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted single-connection iSCSI target on 127.0.0.1 for initiator tests: answers login with
 * chosen keys (optionally refused or split over the C bit), serves READ(10)/WRITE(10) from memory
 * with R2Ts, records what the initiator sent, and can hang or drop the connection on purpose.
 */
final class FakeTarget implements AutoCloseable {
    final ServerSocketChannel server;
    /** Login answers that override echoing the initiator's offer. */
    final Map<String, String> answers = new HashMap<>();
    int refuseClass;
    int refuseDetail;
    boolean splitLoginResponse;
    /** Commands are swallowed; after this many, the connection is dropped (0 = serve normally). */
    int dropAfterCommands;
    /** MaxCmdSN - ExpCmdSN + 1. */
    int window = 64;
    boolean pingAfterLogin;

    final byte[] disk = new byte[4 << 20];
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger windowViolations = new AtomicInteger();
    final CountDownLatch pingAnswered = new CountDownLatch(1);
    volatile int immediateBytes;
    volatile int unsolicitedBytes;
    volatile int r2tCount;
    private Thread thread;
    private volatile SocketChannel conn;

    FakeTarget() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    }

    int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    FakeTarget start() {
        thread = Thread.ofPlatform().daemon().name("fake-target").start(() -> {
            try (SocketChannel sc = server.accept()) {
                conn = sc;
                serve(new PduChannel(sc));
            } catch (Exception e) {
                events.add("end: " + e);
            }
        });
        return this;
    }

    private int statSn = 100;
    private int expCmdSn;

    private int maxCmdSn() {
        return expCmdSn + window - 1;
    }

    private void serve(PduChannel ch) throws Exception {
        ch.setMaxRecvDataSegmentLength(1 << 20);
        Map<String, String> offered = new LinkedHashMap<>();
        while (true) {
            LoginRequest req = (LoginRequest) ch.read();
            expCmdSn = req.cmdSn();
            for (Pair p : TextKeys.decode(req.data())) {
                offered.put(p.key(), p.value());
            }
            if (refuseClass != 0) {
                ch.write(new LoginResponse(false, false, 0, 0, 0, 0, req.isid(), 0, req.itt(), statSn, expCmdSn,
                        maxCmdSn(), refuseClass, refuseDetail, null));
                return;
            }
            List<Pair> reply = new ArrayList<>();
            for (Pair p : TextKeys.decode(req.data())) {
                String k = p.key();
                if (k.equals("InitiatorName") || k.equals("SessionType") || k.equals("TargetName")
                        || k.equals("MaxRecvDataSegmentLength")) {
                    continue;
                }
                String v = answers.getOrDefault(k, p.value().split(",")[0]);
                reply.add(new Pair(k, v));
            }
            if (req.csg() == 1) {
                reply.add(new Pair("MaxRecvDataSegmentLength", answers.getOrDefault("MaxRecvDataSegmentLength",
                        "8192")));
                reply.add(new Pair("TargetPortalGroupTag", "1"));
            }
            boolean last = req.nsg() == 3;
            byte[] text = TextKeys.encode(reply);
            if (splitLoginResponse && text.length > 8) {
                int cut = text.length / 2;
                ch.write(new LoginResponse(false, true, req.csg(), req.nsg(), 0, 0, req.isid(), 0, req.itt(),
                        statSn, expCmdSn, maxCmdSn(), 0, 0, ByteBuffer.wrap(text, 0, cut).slice()));
                LoginRequest empty = (LoginRequest) ch.read();
                events.add("continue login: T=" + empty.transit() + " len=" + empty.data().remaining());
                text = java.util.Arrays.copyOfRange(text, cut, text.length);
            }
            ch.write(new LoginResponse(true, false, req.csg(), req.nsg(), 0, 0, req.isid(), last ? 7 : 0, req.itt(),
                    statSn++, expCmdSn, maxCmdSn(), 0, 0, ByteBuffer.wrap(text)));
            if (last) {
                break;
            }
        }
        ch.setDigests("CRC32C".equals(answers.get("HeaderDigest")), "CRC32C".equals(answers.get("DataDigest")));
        events.add("logged in");
        if (pingAfterLogin) {
            ch.write(new NopIn(0, -1, 0x55, statSn, expCmdSn, maxCmdSn(), ByteBuffer.wrap(new byte[] {7, 7})));
        }
        int segment = Integer.parseInt(answers.getOrDefault("MaxRecvDataSegmentLength", "8192"));
        int commands = 0;
        Map<Integer, Write> writes = new HashMap<>();
        while (true) {
            Pdu p = ch.read();
            switch (p) {
                case NopOut n when n.itt() == -1 -> {
                    if (n.ttt() == 0x55 && n.data().remaining() == 2) {
                        pingAnswered.countDown();
                    }
                }
                case NopOut n -> ch.write(new NopIn(0, n.itt(), -1, statSn++, expCmdSn, maxCmdSn(), n.data()));
                case ScsiCommandPdu c -> {
                    if (!c.immediate()) {
                        if (SerialNumber.lessThan(maxCmdSn(), c.cmdSn())) {
                            windowViolations.incrementAndGet();
                        }
                        expCmdSn = c.cmdSn() + 1;
                    }
                    commands++;
                    if (dropAfterCommands > 0) {
                        if (commands == dropAfterCommands) {
                            events.add("dropping");
                            return;
                        }
                        continue;
                    }
                    long lba = ByteBuffer.wrap(c.cdb()).getInt(2) & 0xFFFFFFFFL;
                    int len = (ByteBuffer.wrap(c.cdb()).getShort(7) & 0xFFFF) * 512;
                    int off = (int) lba * 512;
                    if ((c.cdb()[0] & 0xFF) == 0x28) {
                        for (int pos = 0; pos < len; pos += segment) {
                            int n = Math.min(segment, len - pos);
                            boolean fin = pos + n == len;
                            ch.write(new DataIn(fin, false, 0, fin, 0, 0, c.itt(), -1, fin ? statSn++ : 0, expCmdSn,
                                    maxCmdSn(), pos / segment, pos, 0, ByteBuffer.wrap(disk, off + pos, n).slice()));
                        }
                    } else {
                        Write w = new Write(c, off, len);
                        immediateBytes += c.data().remaining();
                        w.put(0, c.data());
                        writes.put(c.itt(), w);
                        if (c.fin()) {
                            w.unsolicitedDone(ch);
                        }
                    }
                }
                case DataOut d -> {
                    Write w = writes.get(d.itt());
                    if (d.ttt() == -1) {
                        unsolicitedBytes += d.data().remaining();
                    }
                    w.put((int) d.bufferOffset(), d.data());
                    if (d.fin() && d.ttt() == -1) {
                        w.unsolicitedDone(ch);
                    } else if (d.fin()) {
                        w.r2tDone(ch);
                    }
                    if (w.received == w.len) {
                        writes.remove(d.itt());
                    }
                }
                case TaskMgmtRequest t -> ch.write(new TaskMgmtResponse(0, t.itt(), statSn++, expCmdSn, maxCmdSn()));
                case LogoutRequest l -> {
                    // Recorded before answering: once the initiator has the response, a test may look.
                    events.add("logged out");
                    ch.write(new LogoutResponse(0, l.itt(), statSn++, expCmdSn, maxCmdSn(), 0, 0));
                    return;
                }
                default -> events.add("unexpected " + p);
            }
        }
    }

    /** A WRITE(10) collecting its data; solicits the rest with one R2T at a time (MaxOutstandingR2T=1). */
    private final class Write {
        final ScsiCommandPdu cmd;
        final int off;
        final int len;
        int received;
        int next;
        final int burst = 65536;

        Write(ScsiCommandPdu cmd, int off, int len) {
            this.cmd = cmd;
            this.off = off;
            this.len = len;
        }

        void put(int at, ByteBuffer data) {
            int n = data.remaining();
            data.duplicate().get(disk, off + at, n);
            received += n;
            next = Math.max(next, at + n);
        }

        void unsolicitedDone(PduChannel ch) throws IOException {
            r2tDone(ch);
        }

        void r2tDone(PduChannel ch) throws IOException {
            if (next >= len) {
                ch.write(new ScsiResponsePdu(0, 0, 0, cmd.itt(), statSn++, expCmdSn, maxCmdSn(), 0, 0, 0, null));
                return;
            }
            int n = Math.min(burst, len - next);
            r2tCount++;
            ch.write(new R2t(cmd.lun(), cmd.itt(), 0x1000 + r2tCount, statSn, expCmdSn, maxCmdSn(), 0, next, n));
        }
    }

    @Override
    public void close() throws IOException {
        SocketChannel c = conn;
        if (c != null) {
            c.close();
        }
        server.close();
    }
}
