package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.config.ConfigParser;
import io.xtarget.config.ServerConfig;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.scsi.copy.CopyStats;
import io.xtarget.scsi.copy.TokenLists;
import io.xtarget.server.XtargetServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies across fabrics, in-process: a fake QEMU front-end over the controller's socket (memfd
 * guest memory) sends EXTENDED COPY and WRITE USING TOKEN on its virtio LU naming an LU an iSCSI
 * target exports, and an iSCSI initiator reads back what arrived. The controller's
 * {@code "initiator"} name decides which iSCSI LUs its copies reach (the ACLs for that name, no
 * target that demands CHAP of it); its {@code "copyPolicy"} applies as a target's does.
 */
@Timeout(60)
class VhostCrossFabricCopyTest {
    static final String HOST = "iqn.2026-11.io.example:vm-host";
    static final String OPEN = "iqn.2026-11.io.xtarget:xf-open";
    static final String GUARDED = "iqn.2026-11.io.xtarget:xf-guarded";
    static final String NAA_V = "60a58540123456789abcdef000000011";
    static final String NAA_I = "60a58540123456789abcdef000000012";
    static final String NAA_G = "60a58540123456789abcdef000000013";
    static final String NAA_X = "60a58540123456789abcdef000000014";

    @TempDir
    Path dir;

    ServerConfig config(Path socket, String vhostExtra) {
        return ConfigParser.parse("""
                {"backstores": [{"name": "vdisk", "type": "ram", "size": "4M", "naa": "%s"},
                                {"name": "idisk", "type": "ram", "size": "4M", "naa": "%s"},
                                {"name": "gdisk", "type": "ram", "size": "4M", "naa": "%s"},
                                {"name": "xdisk", "type": "ram", "size": "4M", "naa": "%s"}],
                 "targets": [{"name": "%s", "portals": ["127.0.0.1:0"],
                              "acls": [{"initiator": "%s", "luns": [{"lun": 0, "backstore": "idisk"}]},
                                       {"initiator": "iqn.2026-11.io.example:someone-else",
                                        "luns": [{"lun": 0, "backstore": "xdisk"}]}]},
                             {"name": "%s", "portals": ["127.0.0.1:0"],
                              "chap": {"user": "alice", "secret": "alicesecret1"},
                              "acls": [{"initiator": "%s", "luns": [{"lun": 0, "backstore": "gdisk"}]}]}],
                 "vhost": [{"socket": "%s", "luns": [{"lun": 0, "backstore": "vdisk"}]%s}]}
                """.formatted(NAA_V, NAA_I, NAA_G, NAA_X, OPEN, HOST, GUARDED, HOST, socket, vhostExtra));
    }

    static FakeFrontEnd attach(Path socket) throws Exception {
        FakeFrontEnd fe = new FakeFrontEnd(socket.toString());
        fe.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
        fe.ring(0, 8);
        fe.ring(1, 8);
        fe.ring(2, 64);
        return fe;
    }

    static IscsiSession login(XtargetServer server, String target, int portal) throws IOException {
        InetSocketAddress a = server.boundAddresses().get(portal);
        return IscsiSession.open(a.getAddress().getHostAddress(), a.getPort(), target,
                InitiatorOptions.defaults().withInitiatorName(HOST));
    }

    /** A guest command, past the unit attentions a new nexus sees first. */
    static VirtioScsiGuest.Response run(VirtioScsiGuest g, byte[] cdb, byte[] out, int in) throws Exception {
        VirtioScsiGuest.Response r = g.command(0, cdb, out, in);
        for (int i = 0; i < 4 && r.status() == 2 && r.sense().length > 2 && (r.sense()[2] & 0x0F) == 6; i++) {
            r = g.command(0, cdb, out, in);
        }
        return r;
    }

    static CommandResult run(IscsiSession s, byte[] cdb, byte[] out, int in) throws IOException {
        CommandResult r = s.execute(0, cdb, out == null ? null : ByteBuffer.wrap(out), in);
        for (int i = 0; i < 4 && r.status() == CommandResult.CHECK_CONDITION
                && r.senseData().map(d -> d.senseKey() == 6).orElse(false); i++) {
            r = s.execute(0, cdb, out == null ? null : ByteBuffer.wrap(out), in);
        }
        return r;
    }

    static byte[] rw10(int op, long lba, int blocks) {
        return ByteBuffer.allocate(10).put(0, (byte) op).putInt(2, (int) lba).putShort(7, (short) blocks).array();
    }

    /** EXTENDED COPY(LID1) of {@code blocks} 512-byte blocks from the LU named {@code src} to {@code dst}. */
    static byte[][] xcopy(String src, long srcLba, String dst, long dstLba, int blocks) {
        ByteArrayOutputStream cscds = new ByteArrayOutputStream();
        for (String naa : new String[] {src, dst}) {
            ByteBuffer d = ByteBuffer.allocate(32);
            d.put(0, (byte) 0xE4).put(4, (byte) 0x01).put(5, (byte) 0x03).put(7, (byte) 16);
            d.put(8, HexFormat.of().parseHex(naa));
            d.put(30, (byte) 0x02); // disk block length 512
            cscds.writeBytes(d.array());
        }
        ByteBuffer seg = ByteBuffer.allocate(28);
        seg.put(0, (byte) 0x02).putShort(2, (short) 0x18).putShort(4, (short) 0).putShort(6, (short) 1)
                .putShort(10, (short) blocks).putLong(12, srcLba).putLong(20, dstLba);
        ByteBuffer list = ByteBuffer.allocate(16 + 64 + 28);
        list.put(1, (byte) (0b11 << 3)).putShort(2, (short) 64).putInt(8, 28); // LIST ID USAGE 11b: no list identifier
        list.put(16, cscds.toByteArray()).put(80, seg.array());
        ByteBuffer cdb = ByteBuffer.allocate(16).put(0, (byte) 0x83).putInt(10, list.capacity());
        return new byte[][] {cdb.array(), list.array()};
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void assertGood(VirtioScsiGuest.Response r) {
        assertThat(r.status()).as("status, sense " + HexFormat.of().formatHex(r.sense())).isZero();
    }

    static void assertNotReachable(VirtioScsiGuest.Response r) {
        assertThat(r.status()).isEqualTo(2);
        byte[] s = r.sense();
        boolean fixed = (s[0] & 0x7F) < 0x72;
        assertThat(s[fixed ? 2 : 1] & 0x0F).as("COPY ABORTED").isEqualTo(0x0A);
        assertThat(s[fixed ? 12 : 2]).isEqualTo((byte) 0x0D);
        assertThat(s[fixed ? 13 : 3]).as("COPY TARGET DEVICE NOT REACHABLE").isEqualTo((byte) 0x02);
    }

    @Test
    void extendedCopyFromTheGuestReachesTheIscsiLuAndBack() throws Exception {
        Path socket = dir.resolve("vm.sock");
        try (XtargetServer server = XtargetServer.start(config(socket, ", \"initiator\": \"" + HOST + "\""), dir);
                FakeFrontEnd fe = attach(socket);
                IscsiSession iscsi = login(server, OPEN, 0)) {
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            CopyStats.Snapshot before = server.copyStats().snapshot();

            // virtio LU -> iSCSI LU
            byte[] data = random(32 * 512, 1);
            assertGood(run(g, rw10(0x2A, 0, 32), data, 0));
            byte[][] x = xcopy(NAA_V, 0, NAA_I, 100, 32);
            assertGood(run(g, x[0], x[1], 0));
            CommandResult r = run(iscsi, rw10(0x28, 100, 32), null, 32 * 512);
            assertThat(r.status()).as(r.toString()).isZero();
            assertThat(r.dataBytes()).isEqualTo(data);

            // iSCSI LU -> virtio LU
            byte[] back = random(16 * 512, 2);
            assertThat(run(iscsi, rw10(0x2A, 500, 16), back, 0).status()).isZero();
            x = xcopy(NAA_I, 500, NAA_V, 1000, 16);
            assertGood(run(g, x[0], x[1], 0));
            assertThat(run(g, rw10(0x28, 1000, 16), null, 16 * 512).dataIn()).isEqualTo(back);

            CopyStats.Snapshot after = server.copyStats().snapshot();
            assertThat(after.succeeded() - before.succeeded()).isEqualTo(2);
            assertThat(after.bytesOffloaded() - before.bytesOffloaded()).isEqualTo(48 * 512);
        }
    }

    @Test
    void writeUsingTokenOnTheGuestTakesATokenPopulatedOverIscsi() throws Exception {
        Path socket = dir.resolve("vm.sock");
        try (XtargetServer server = XtargetServer.start(config(socket, ", \"initiator\": \"" + HOST + "\""), dir);
                FakeFrontEnd fe = attach(socket);
                IscsiSession iscsi = login(server, OPEN, 0)) {
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            byte[] data = random(64 * 512, 3);
            assertThat(run(iscsi, rw10(0x2A, 2000, 64), data, 0).status()).isZero();
            byte[] plist = TokenLists.populateList(TokenLists.range(2000, 64));
            CommandResult p = run(iscsi, TokenLists.populate(7, plist.length).bytes(), plist, 0);
            assertThat(p.status()).as(p.toString()).isZero();
            CommandResult rrti = run(iscsi, TokenLists.rrti(7).bytes(), null, 4096);
            assertThat(rrti.status()).as(rrti.toString()).isZero();
            byte[] token = TokenLists.tokenOf(rrti.dataBytes());
            long used = server.copyStats().tokens().used();

            byte[] wlist = TokenLists.writeList(token, TokenLists.range(3000, 64));
            assertGood(run(g, TokenLists.writeUsingToken(8, wlist.length).bytes(), wlist, 0));
            assertThat(run(g, rw10(0x28, 3000, 64), null, 64 * 512).dataIn()).isEqualTo(data);
            assertThat(server.copyStats().tokens().used()).isEqualTo(used + 1);
        }
    }

    @Test
    void lusTheConfiguredInitiatorCannotReachAreRefusedAndLeftAlone() throws Exception {
        Path socket = dir.resolve("vm.sock");
        try (XtargetServer server = XtargetServer.start(config(socket, ", \"initiator\": \"" + HOST + "\""), dir);
                FakeFrontEnd fe = attach(socket)) {
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            assertGood(run(g, rw10(0x2A, 0, 8), random(8 * 512, 4), 0));
            // another initiator's LU (the ACL of OPEN maps xdisk to someone else)
            byte[][] x = xcopy(NAA_V, 0, NAA_X, 0, 8);
            assertNotReachable(run(g, x[0], x[1], 0));
            // a target that demands CHAP of the initiator name: the guest proved no secret
            x = xcopy(NAA_V, 0, NAA_G, 0, 8);
            assertNotReachable(run(g, x[0], x[1], 0));
            for (String b : new String[] {"xdisk", "gdisk"}) {
                io.xtarget.scsi.LogicalUnit lu = server.units().stream().filter(u -> u.name().equals(b)).findFirst()
                        .orElseThrow();
                ByteBuffer read = ByteBuffer.allocate(8 * 512);
                lu.read(0, read);
                assertThat(read.array()).as(b + " untouched").isEqualTo(new byte[8 * 512]);
            }
            assertThat(server.copyStats().snapshot().failures()).isEqualTo(2);
        }
    }

    @Test
    void withoutAnInitiatorOrUnderPolicyPortTheGuestReachesOnlyItsOwnLus() throws Exception {
        for (String extra : new String[] {"", ", \"copyPolicy\": \"port\", \"initiator\": \"" + HOST + "\""}) {
            Path socket = dir.resolve("vm.sock");
            try (XtargetServer server = XtargetServer.start(config(socket, extra), dir);
                    FakeFrontEnd fe = attach(socket)) {
                VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
                byte[][] x = xcopy(NAA_V, 0, NAA_I, 0, 8);
                assertNotReachable(run(g, x[0], x[1], 0));
                x = xcopy(NAA_V, 0, NAA_V, 100, 8);
                assertGood(run(g, x[0], x[1], 0));
            }
        }
    }

    @Test
    void reportTargetPortGroupsListsTheControllersGroup() throws Exception {
        Path socket = dir.resolve("vm.sock");
        XtargetServer server = XtargetServer.start(config(socket, ""), dir);
        try (server;
                FakeFrontEnd fe = attach(socket);
                IscsiSession iscsi = login(server, OPEN, 0)) {
            int port = server.vhostControllers().getFirst().port().relativePortId();
            assertThat(port).isEqualTo(3); // after the two iSCSI portals
            byte[] rtpg = {(byte) 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0};
            for (byte[] data : new byte[][] {run(new VirtioScsiGuest(fe, 2), rtpg, null, 1024).dataIn(),
                run(iscsi, rtpg, null, 1024).dataBytes()}) {
                ByteBuffer b = ByteBuffer.wrap(data);
                java.util.Map<Integer, java.util.List<Integer>> groups = new java.util.TreeMap<>();
                for (int off = 4; off < 4 + b.getInt(0); ) {
                    int n = b.get(off + 7) & 0xFF;
                    java.util.List<Integer> ports = new java.util.ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        ports.add(b.getShort(off + 8 + 4 * i + 2) & 0xFFFF);
                    }
                    groups.put(b.getShort(off + 2) & 0xFFFF, ports);
                    off += 8 + 4 * n;
                }
                assertThat(groups).containsEntry(3, java.util.List.of(3)).containsKeys(1, 2);
            }
        }
        // the controller's port is gone with it
        assertThat(server.core().ports()).extracting(io.xtarget.scsi.TargetPort::relativePortId).doesNotContain(3);
    }
}
