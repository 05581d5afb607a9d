package io.xtarget.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Framing, digests and bounds of {@link PduChannel}, over in-memory channels. */
class PduChannelTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] wire(boolean headerDigest, boolean dataDigest, Pdu... pdus) throws IOException {
        MemoryChannel m = new MemoryChannel(new byte[0]);
        PduChannel c = new PduChannel(m);
        c.setDigests(headerDigest, dataDigest);
        for (Pdu p : pdus) {
            c.write(p);
        }
        return m.out.toByteArray();
    }

    private static PduChannel reader(byte[] bytes, boolean hd, boolean dd, int chunk) {
        PduChannel c = new PduChannel(new MemoryChannel(bytes, chunk));
        c.setDigests(hd, dd);
        c.setMaxRecvDataSegmentLength(65536);
        return c;
    }

    @Test
    void dataDigestMatchesRfc3720TestVectorForThirtyTwoZeroBytes() throws IOException {
        // RFC 3720 B.4: CRC32C of 32 zero bytes is sent as aa 36 91 8a.
        byte[] w = wire(false, true, new NopOut(true, 0, 1, -1, 1, 1, ByteBuffer.allocate(32)));
        assertThat(w).hasSize(48 + 32 + 4);
        assertThat(HEX.formatHex(Arrays.copyOfRange(w, 80, 84))).isEqualTo("aa36918a");
        byte[] ff = new byte[32];
        Arrays.fill(ff, (byte) 0xFF);
        byte[] w2 = wire(false, true, new NopOut(true, 0, 1, -1, 1, 1, ByteBuffer.wrap(ff)));
        assertThat(HEX.formatHex(Arrays.copyOfRange(w2, 80, 84))).isEqualTo("43aba862");
    }

    @Test
    void nopOutWithPaddingAndBothDigestsHasExactLayout() throws Exception {
        byte[] w = wire(true, true, new NopOut(true, 0, 7, -1, 5, 9, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5})));
        // BHS, header digest, 5 data bytes + 3 pad, data digest
        assertThat(w).hasSize(48 + 4 + 8 + 4);
        assertThat(HEX.formatHex(Arrays.copyOf(w, 48))).isEqualTo("4080000000000005" + "0000000000000000"
                + "00000007" + "ffffffff" + "00000005" + "00000009" + "00".repeat(16));
        assertThat(Arrays.copyOfRange(w, 52, 60)).containsExactly(1, 2, 3, 4, 5, 0, 0, 0);
        NopOut back = (NopOut) reader(w, true, true, 3).read();
        assertThat(back.itt()).isEqualTo(7);
        assertThat(back.cmdSn()).isEqualTo(5);
        assertThat(back.data().remaining()).isEqualTo(5);
    }

    @Test
    void goldenHeadersOfInitiatorPdus() {
        assertThat(HEX.formatHex(PduCodec.header(new DataOut(true, 0x0001000000000000L, 0x10, 0x20, 3, 2, 8192,
                ByteBuffer.allocate(512))))).isEqualTo("0580000000000200" + "0001000000000000" + "00000010"
                + "00000020" + "00000000" + "00000003" + "00000000" + "00000002" + "00002000" + "00000000");
        assertThat(HEX.formatHex(PduCodec.header(new TaskMgmtRequest(true, TaskMgmtRequest.LOGICAL_UNIT_RESET,
                0x0001000000000000L, 0x11, -1, 4, 6, 0, 0)))).isEqualTo("4285000000000000" + "0001000000000000"
                + "00000011" + "ffffffff" + "00000004" + "00000006" + "00000000" + "00000000" + "0000000000000000");
        assertThat(HEX.formatHex(PduCodec.header(new TextRequest(false, true, false, 0, 3, -1, 8, 2,
                ByteBuffer.wrap("SendTargets=All\0".getBytes()))))).isEqualTo("0480000000000010" + "0000000000000000"
                + "00000003" + "ffffffff" + "00000008" + "00000002" + "00".repeat(16));
        assertThat(HEX.formatHex(PduCodec.header(new LogoutRequest(true, 0, 9, 0, 12, 13))))
                .isEqualTo("4680000000000000" + "0000000000000000" + "00000009" + "00000000" + "0000000c"
                        + "0000000d" + "00".repeat(16));
    }

    @Test
    void goldenTargetPdusDecode() throws Exception {
        byte[] r2t = HEX.parseHex("3180000000000000" + "0001000000000000" + "00000010" + "00000abc" + "00000005"
                + "00000006" + "00000026" + "00000001" + "00010000" + "00040000");
        R2t r = (R2t) PduCodec.decode(r2t, new byte[0], Pdu.EMPTY);
        assertThat(r.lun()).isEqualTo(0x0001000000000000L);
        assertThat(r.itt()).isEqualTo(0x10);
        assertThat(r.ttt()).isEqualTo(0xabc);
        assertThat(r.statSn()).isEqualTo(5);
        assertThat(r.expCmdSn()).isEqualTo(6);
        assertThat(r.maxCmdSn()).isEqualTo(0x26);
        assertThat(r.r2tSn()).isEqualTo(1);
        assertThat(r.bufferOffset()).isEqualTo(0x10000);
        assertThat(r.desiredLength()).isEqualTo(0x40000);

        byte[] rsp = HEX.parseHex("2182000200000014" + "0000000000000000" + "00000033" + "00000000" + "00000007"
                + "00000008" + "00000027" + "00000000" + "00000000" + "00000100");
        byte[] data = HEX.parseHex("0012" + "70000500000000" + "0a00000000" + "24000000" + "0000" + "0000");
        ScsiResponsePdu s = (ScsiResponsePdu) PduCodec.decode(rsp, new byte[0], ByteBuffer.wrap(data));
        assertThat(s.flags()).isEqualTo(ScsiResponsePdu.UNDERFLOW);
        assertThat(s.status()).isEqualTo(2);
        assertThat(s.itt()).isEqualTo(0x33);
        assertThat(s.residual()).isEqualTo(256);
        assertThat(s.sense()).hasSize(18);
        assertThat(s.sense()[2]).isEqualTo((byte) 5);
        assertThat(s.sense()[12]).isEqualTo((byte) 0x24);

        byte[] login = HEX.parseHex("2387000000000000" + "8000000000010001" + "00000000" + "00000000" + "00000001"
                + "00000001" + "00000020" + "02030000" + "0000000000000000");
        LoginResponse l = (LoginResponse) PduCodec.decode(login, new byte[0], Pdu.EMPTY);
        assertThat(l.transit()).isTrue();
        assertThat(l.csg()).isEqualTo(1);
        assertThat(l.nsg()).isEqualTo(3);
        assertThat(l.isid()).isEqualTo(0x800000000001L);
        assertThat(l.tsih()).isEqualTo(1);
        assertThat(l.statusClass()).isEqualTo(2);
        assertThat(l.statusDetail()).isEqualTo(3);
    }

    @Test
    void oversizedDataSegmentIsRefusedBeforeAnythingIsAllocatedOrRead() {
        byte[] bhs = new byte[48];
        bhs[0] = Opcode.DATA_IN;
        bhs[5] = (byte) 0xFF;
        bhs[6] = (byte) 0xFF;
        bhs[7] = (byte) 0xFF;
        MemoryChannel m = new MemoryChannel(bhs);
        PduChannel c = new PduChannel(m);
        c.setMaxRecvDataSegmentLength(8192);
        assertThatThrownBy(c::read).isInstanceOfSatisfying(PduException.class, e -> assertThat(e.fatal()).isTrue());
        assertThat(m.consumed()).isEqualTo(48);
    }

    @Test
    void headerDigestErrorIsFatalAndDataDigestErrorIsNot() throws Exception {
        byte[] w = wire(true, true, new NopOut(true, 0, 1, -1, 1, 1, ByteBuffer.wrap(new byte[] {9, 9, 9, 9})));
        byte[] badHeader = w.clone();
        badHeader[49] ^= 1;
        assertThatThrownBy(() -> reader(badHeader, true, true, 64).read())
                .isInstanceOfSatisfying(PduException.class, e -> assertThat(e.fatal()).isTrue());
        byte[] badData = w.clone();
        badData[53] ^= 1;
        assertThatThrownBy(() -> reader(badData, true, true, 64).read()).isInstanceOfSatisfying(PduException.class,
                e -> assertThat(e.rejectReason()).isEqualTo(Reject.DATA_DIGEST_ERROR));
    }

    @Test
    void placementGetsDataInPlaceAndWrongSizedBuffersAreIgnored() throws Exception {
        byte[] payload = new byte[100];
        new Random(1).nextBytes(payload);
        byte[] w = wire(false, false, new DataIn(false, false, 0, false, 0, 0, 4, -1, 0, 1, 2, 0, 10,
                0, ByteBuffer.wrap(payload)));
        ByteBuffer target = ByteBuffer.allocate(200);
        DataIn d = (DataIn) reader(w, false, false, 7).read((h, len) -> target.duplicate()
                .limit((int) h.u32(40) + len).position((int) h.u32(40)));
        assertThat(Arrays.copyOfRange(target.array(), 10, 110)).isEqualTo(payload);
        assertThat(d.data().remaining()).isEqualTo(100);
        DataIn e = (DataIn) reader(w, false, false, 7).read((h, len) -> ByteBuffer.allocate(len + 1));
        byte[] got = new byte[100];
        e.data().duplicate().get(got);
        assertThat(got).isEqualTo(payload);
    }

    @Test
    void truncatedPdusEndInEofException() throws IOException {
        byte[] w = wire(true, true, new NopOut(true, 0, 1, -1, 1, 1, ByteBuffer.wrap(new byte[] {1, 2, 3})));
        for (int cut = 0; cut < w.length; cut++) {
            byte[] t = Arrays.copyOf(w, cut);
            assertThatThrownBy(() -> reader(t, true, true, 5).read()).isInstanceOf(EOFException.class);
        }
    }

    /**
     * Property: whatever bytes arrive, read() ends in a PDU, IOException (EOF included) or
     * PduException, never an unchecked exception, and never reads a data segment the bound refuses.
     */
    @Test
    void randomAndMutatedBytesOnlyEverGiveCheckedExceptions() throws IOException {
        Random rnd = new Random(20261123);
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(wire(false, false, new DataIn(true, false, 2, true, 0, 0, 4, -1, 0, 1, 2, 0, 0, 5,
                ByteBuffer.allocate(13))));
        seeds.add(wire(false, false, new ScsiResponsePdu(0, 0, 2, 5, 1, 2, 3, 0, 0, 0,
                ByteBuffer.wrap(new byte[] {0, 4, 0x70, 0, 5, 0}))));
        seeds.add(wire(false, false, new LoginResponse(true, false, 1, 3, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0,
                ByteBuffer.wrap("A=B\0".getBytes()))));
        seeds.add(wire(false, false, new R2t(0, 1, 2, 3, 4, 5, 6, 0, 8192)));
        seeds.add(wire(false, false, new Reject(4, 1, 1, 1, 0, ByteBuffer.allocate(48))));
        int pdus = 0;
        for (int i = 0; i < 30000; i++) {
            byte[] b;
            int mode = rnd.nextInt(4);
            if (mode == 0) {
                b = new byte[rnd.nextInt(300)];
                rnd.nextBytes(b);
            } else {
                byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
                b = mode == 1 ? Arrays.copyOf(seed, rnd.nextInt(seed.length + 1)) : seed.clone();
                int flips = mode == 3 ? 1 + rnd.nextInt(6) : 0;
                for (int f = 0; f < flips && b.length > 0; f++) {
                    b[rnd.nextInt(Math.min(b.length, 48))] = (byte) rnd.nextInt(256);
                }
                if (mode == 2 && b.length > 4) {
                    b[4] = (byte) rnd.nextInt(256); // AHS length
                }
            }
            boolean hd = rnd.nextBoolean();
            boolean dd = rnd.nextBoolean();
            PduChannel c = new PduChannel(new MemoryChannel(b, 1 + rnd.nextInt(64)));
            c.setDigests(hd, dd);
            c.setMaxRecvDataSegmentLength(512 + rnd.nextInt(8192));
            try {
                for (int k = 0; k < 4; k++) {
                    Pdu p = c.read();
                    assertThat(p.data()).isNotNull();
                    if (p instanceof ScsiResponsePdu s) {
                        s.sense();
                    }
                    pdus++;
                }
            } catch (IOException | PduException expected) {
                // the only allowed outcomes
            } catch (RuntimeException e) {
                fail("unchecked exception for input " + HEX.formatHex(b) + " hd=" + hd + " dd=" + dd, e);
            }
        }
        assertThat(pdus).isPositive();
    }
}
