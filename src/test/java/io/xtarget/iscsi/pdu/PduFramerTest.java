package io.xtarget.iscsi.pdu;

import static io.xtarget.testing.Bytes.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The incremental framer fed arbitrary byte pieces from memory: {@link PduFramer}. */
class PduFramerTest {

    // ------------------------------------------------------------------ building wire bytes

    private static byte[] crc(byte[]... parts) {
        CRC32C c = new CRC32C();
        for (byte[] p : parts) {
            c.update(p);
        }
        // RFC 7143 11.1 / RFC 3720 B.4: the digest goes on the wire least significant byte first
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) c.getValue()).array();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** RFC 7143 11.2: BHS, AHS, header digest, data segment, padding, data digest. */
    static byte[] wire(Pdu p, byte[] ahs, boolean headerDigest, boolean dataDigest) {
        byte[] bhs = PduCodec.header(p);
        bhs[4] = (byte) (ahs.length / 4);
        byte[] data = bytes(p.data());
        byte[] padded = Arrays.copyOf(data, (data.length + 3) & ~3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bhs);
        out.writeBytes(ahs);
        if (headerDigest) {
            out.writeBytes(crc(bhs, ahs));
        }
        if (data.length > 0) {
            out.writeBytes(padded);
            if (dataDigest) {
                out.writeBytes(crc(padded));
            }
        }
        return out.toByteArray();
    }

    static byte[] wire(Pdu p, boolean headerDigest, boolean dataDigest) {
        return wire(p, new byte[0], headerDigest, dataDigest);
    }


    private static NopOut nop(int itt, int dataLength) {
        byte[] d = new byte[dataLength];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (itt * 31 + i);
        }
        return new NopOut(true, 0, itt, -1, itt, 0, ByteBuffer.wrap(d));
    }

    /** Five PDUs whose data lengths need 0, 3, 2, 1 and 0 bytes of padding. */
    private static List<Pdu> sample() {
        return List.of(nop(1, 0), nop(2, 1), nop(3, 6), nop(4, 7), nop(5, 12));
    }

    private static PduFramer framer(boolean hd, boolean dd) {
        PduFramer f = new PduFramer();
        f.setDigests(hd, dd);
        f.setMaxRecvDataSegmentLength(8192);
        return f;
    }

    /** Feeds {@code in} cut at the given points; returns every PDU in order. */
    private static List<Pdu> feedPieces(PduFramer f, byte[] in, int[] cuts) throws PduException {
        List<Pdu> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : in.length;
            ByteBuffer piece = ByteBuffer.wrap(in, from, to - from);
            Pdu p;
            while ((p = f.feed(piece, null)) != null) {
                out.add(p);
            }
            assertThat(piece.hasRemaining()).isFalse();
            from = to;
        }
        return out;
    }

    private static void assertSamePdus(List<Pdu> got, List<Pdu> expected) {
        assertThat(got).hasSameSizeAs(expected);
        for (int i = 0; i < got.size(); i++) {
            assertThat(PduCodec.header(got.get(i))).isEqualTo(PduCodec.header(expected.get(i)));
            assertThat(bytes(got.get(i).data())).isEqualTo(bytes(expected.get(i).data()));
        }
    }

    // ------------------------------------------------------------------ framing

    @Test
    void testWireBytesMatchWhatPduChannelWrites() throws Exception {
        // RFC 7143 11.2: the test helper must build exactly the layout the target's writer sends
        MemoryChannel m = new MemoryChannel(new byte[0]);
        PduChannel c = new PduChannel(m);
        c.setDigests(true, true);
        for (Pdu p : sample()) {
            c.write(p);
        }
        assertThat(m.out.toByteArray()).isEqualTo(concat(sample().stream().map(p -> wire(p, true, true))
                .toArray(byte[][]::new)));
    }

    @Test
    void pdusSplitAtEveryByteBoundaryComeOutWhole() throws Exception {
        // RFC 7143 11.2: framing depends only on the byte stream, never on how it was cut
        for (boolean hd : new boolean[] {false, true}) {
            for (boolean dd : new boolean[] {false, true}) {
                byte[] in = concat(sample().stream().map(p -> wire(p, hd, dd)).toArray(byte[][]::new));
                for (int cut = 0; cut <= in.length; cut++) {
                    assertSamePdus(feedPieces(framer(hd, dd), in, new int[] {cut}), sample());
                }
            }
        }
    }

    @Test
    void pdusFedOneByteAtATimeComeOutWhole() throws Exception {
        byte[] in = concat(sample().stream().map(p -> wire(p, true, true)).toArray(byte[][]::new));
        int[] cuts = new int[in.length - 1];
        Arrays.setAll(cuts, i -> i + 1);
        assertSamePdus(feedPieces(framer(true, true), in, cuts), sample());
    }

    @Test
    void pdusFedInRandomChunksComeOutWhole() throws Exception {
        Random rnd = new Random(3720);
        byte[] in = concat(sample().stream().map(p -> wire(p, true, false)).toArray(byte[][]::new));
        for (int i = 0; i < 500; i++) {
            int[] cuts = rnd.ints(rnd.nextInt(20), 0, in.length + 1).sorted().toArray();
            assertSamePdus(feedPieces(framer(true, false), in, cuts), sample());
        }
    }

    @Test
    void neededIsTheRestOfTheCurrentField() throws Exception {
        PduFramer f = framer(true, true);
        assertThat(f.needed()).isEqualTo(48);
        byte[] in = wire(nop(1, 5), true, true);
        assertThat(f.feed(ByteBuffer.wrap(in, 0, 40), null)).isNull();
        assertThat(f.needed()).isEqualTo(8);
        assertThat(f.feed(ByteBuffer.wrap(in, 40, 8), null)).isNull();
        assertThat(f.needed()).isEqualTo(4); // header digest
        assertThat(f.feed(ByteBuffer.wrap(in, 48, 4), null)).isNull();
        assertThat(f.needed()).isEqualTo(5); // data
        assertThat(f.feed(ByteBuffer.wrap(in, 52, 5), null)).isNull();
        assertThat(f.needed()).isEqualTo(3); // padding
        assertThat(f.feed(ByteBuffer.wrap(in, 57, 3), null)).isNull();
        assertThat(f.needed()).isEqualTo(4); // data digest
        assertThat(f.feed(ByteBuffer.wrap(in, 60, 4), null)).isNotNull();
        assertThat(f.needed()).isEqualTo(48);
    }

    @Test
    void extendedCdbAhsIsReadAndCoveredByTheHeaderDigest() throws Exception {
        // RFC 7143 11.2.2.3: Extended CDB AHS; 11.2.3: the header digest covers BHS and AHS
        byte[] cdb = new byte[32];
        for (int i = 0; i < cdb.length; i++) {
            cdb[i] = (byte) (i + 1);
        }
        ScsiCommandPdu cmd = new ScsiCommandPdu(false, true, false, true, 1, 0, 9, 512, 3, 1, cdb,
                ByteBuffer.wrap(new byte[] {1, 2, 3}));
        byte[] ahs = new byte[20]; // AHSLength 17 (reserved byte + 16 CDB bytes), padded to 20
        ahs[1] = 17;
        ahs[2] = 1;
        System.arraycopy(cdb, 16, ahs, 4, 16);
        byte[] in = wire(cmd, ahs, true, true);
        ScsiCommandPdu got = (ScsiCommandPdu) feedPieces(framer(true, true), in, new int[] {30, 50, 60, 70}).getFirst();
        assertThat(got.cdb()).isEqualTo(cdb);
        assertThat(bytes(got.data())).containsExactly(1, 2, 3);

        byte[] bad = in.clone();
        bad[48 + 10] ^= 0x40; // an AHS byte: the header digest no longer matches
        assertThatThrownBy(() -> feedPieces(framer(true, true), bad, new int[0]))
                .isInstanceOfSatisfying(PduException.class, e -> assertThat(e.fatal()).isTrue());
    }

    @Test
    void headerDigestErrorIsFatal() {
        // RFC 7143 7.8: a header digest error loses framing; at ERL 0 the connection is dropped
        byte[] in = wire(nop(1, 4), true, false);
        in[20] ^= 1;
        assertThatThrownBy(() -> feedPieces(framer(true, false), in, new int[] {3}))
                .isInstanceOfSatisfying(PduException.class, e -> assertThat(e.fatal()).isTrue());
    }

    @Test
    void dataDigestErrorIsRejectedAndTheNextPduFollows() throws Exception {
        // RFC 7143 7.8, 11.17.1: a data digest error is answered with Reject reason 02h; framing holds
        byte[] first = wire(nop(1, 6), true, true);
        first[52 + 2] ^= 1; // a data byte
        byte[] in = concat(first, wire(nop(2, 3), true, true));
        PduFramer f = framer(true, true);
        ByteBuffer src = ByteBuffer.wrap(in);
        assertThatThrownBy(() -> f.feed(src, null)).isInstanceOfSatisfying(PduException.class, e -> {
            assertThat(e.fatal()).isFalse();
            assertThat(e.rejectReason()).isEqualTo(Reject.DATA_DIGEST_ERROR);
            assertThat(new Bhs(e.header()).i32(16)).isEqualTo(1); // the offending header, for the Reject
        });
        assertThat(src.position()).isEqualTo(first.length); // the whole bad PDU was consumed
        Pdu next = f.feed(src, null);
        assertThat(next.itt()).isEqualTo(2);
        assertThat(bytes(next.data())).isEqualTo(bytes(nop(2, 3).data()));
    }

    @Test
    void paddingIsCoveredByTheDataDigest() {
        // RFC 7143 11.2.3: the data digest covers the data segment and its padding
        byte[] in = wire(nop(1, 5), false, true);
        in[48 + 6] = 1; // a padding byte: the data itself is intact
        assertThatThrownBy(() -> feedPieces(framer(false, true), in, new int[0]))
                .isInstanceOfSatisfying(PduException.class,
                        e -> assertThat(e.rejectReason()).isEqualTo(Reject.DATA_DIGEST_ERROR));
    }

    @Test
    void nonZeroPaddingSentWithItsDigestIsAccepted() throws Exception {
        // RFC 7143 11.1: padding SHOULD (not must) be 0; the digest covers the bytes actually sent
        byte[] data = {1, 2, 3, 4, 5};
        byte[] padded = {1, 2, 3, 4, 5, (byte) 0xAA, (byte) 0xBB, (byte) 0xCC};
        byte[] bhs = PduCodec.header(new NopOut(true, 0, 1, -1, 1, 0, ByteBuffer.wrap(data)));
        byte[] in = concat(bhs, padded, crc(padded), wire(nop(2, 0), false, true));
        List<Pdu> got = feedPieces(framer(false, true), in, new int[] {50, 55});
        assertThat(got).hasSize(2);
        assertThat(bytes(got.getFirst().data())).isEqualTo(data);
    }

    @Test
    void noDataDigestWithoutADataSegment() throws Exception {
        // RFC 7143 11.2: the data digest is present only with a data segment
        byte[] in = concat(wire(nop(1, 0), true, true), wire(nop(2, 0), true, true));
        assertThat(in).hasSize(2 * 52);
        assertThat(feedPieces(framer(true, true), in, new int[0])).hasSize(2);
    }

    @Test
    void dataSegmentBeyondMaxRecvDataSegmentLengthIsFatalBeforeAnyAllocation() {
        // RFC 7143 13.12: a data segment must not exceed the receiver's MaxRecvDataSegmentLength
        PduFramer f = framer(false, false);
        f.setMaxRecvDataSegmentLength(1024);
        byte[] in = Arrays.copyOf(wire(nop(1, 1025), false, false), 48 + 100);
        ByteBuffer src = ByteBuffer.wrap(in);
        boolean[] placed = new boolean[1];
        assertThatThrownBy(() -> f.feed(src, (h, len) -> {
            placed[0] = true;
            return null;
        })).isInstanceOfSatisfying(PduException.class, e -> assertThat(e.fatal()).isTrue());
        assertThat(placed[0]).isFalse();
        assertThat(src.position()).isEqualTo(48); // not a byte of the data was consumed
    }

    @Test
    void inDiscardModeAnOversizedSegmentIsDroppedUnstoredAndReportedWithItsHeader() throws Exception {
        // The login phase (RFC 7143 13.12, 8192 during login): answer the PDU instead of losing framing.
        for (boolean digests : new boolean[] {false, true}) {
            PduFramer f = framer(digests, digests);
            f.setMaxRecvDataSegmentLength(1024);
            f.setDiscardOversized(true);
            byte[] in = concat(wire(nop(5, 3001), digests, digests), wire(nop(6, 7), digests, digests));
            List<Integer> placed = new ArrayList<>();
            List<Pdu> got = new ArrayList<>();
            List<PduException> errors = new ArrayList<>();
            for (int from = 0; from < in.length; from += 13) {
                ByteBuffer src = ByteBuffer.wrap(in, from, Math.min(13, in.length - from));
                while (src.hasRemaining()) {
                    assertThat(f.needed()).isBetween(1, PduFramer.SKIP_CHUNK);
                    try {
                        Pdu p = f.feed(src, (h, len) -> {
                            placed.add(len);
                            return null;
                        });
                        if (p != null) {
                            got.add(p);
                        }
                    } catch (PduException e) {
                        errors.add(e);
                    }
                }
            }
            assertThat(placed).as("no buffer asked for the oversized segment").containsExactly(7);
            assertThat(errors).singleElement().satisfies(e -> {
                assertThat(e.fatal()).isFalse();
                assertThat(e.rejectReason()).isEqualTo(Reject.PROTOCOL_ERROR);
                assertThat(new Bhs(e.header()).i32(16)).isEqualTo(5);
                assertThat(e.getMessage()).contains("3001", "1024");
            });
            assertThat(got).singleElement().satisfies(p -> assertThat(bytes(p.data())).isEqualTo(bytes(nop(6, 7)
                    .data())));
        }
    }

    @Test
    void inDiscardModeTheLargestLengthIsSkippedInSmallPieces() {
        PduFramer f = framer(false, false);
        f.setDiscardOversized(true);
        byte[] bhs = wire(nop(1, 0), false, false);
        bhs[5] = bhs[6] = bhs[7] = (byte) 0xFF; // 16 MiB - 1: the 24-bit maximum
        assertThatThrownBy(() -> {
            assertThat(f.feed(ByteBuffer.wrap(bhs), null)).isNull();
            byte[] chunk = new byte[f.needed()];
            assertThat(chunk).hasSize(PduFramer.SKIP_CHUNK);
            long fed = 0;
            while (true) {
                assertThat(f.feed(ByteBuffer.wrap(chunk, 0, f.needed()), null)).isNull();
                fed += chunk.length;
                assertThat(fed).isLessThanOrEqualTo((1 << 24) + 4);
            }
        }).isInstanceOfSatisfying(PduException.class, e -> assertThat(e.fatal()).isFalse());
    }

    @Test
    void dataSegmentOfExactlyMaxRecvDataSegmentLengthIsAccepted() throws Exception {
        PduFramer f = framer(false, false);
        f.setMaxRecvDataSegmentLength(1024);
        assertThat(f.feed(ByteBuffer.wrap(wire(nop(1, 1024), false, false)), null).data().remaining())
                .isEqualTo(1024);
    }

    @Test
    void placementPutsTheDataIntoTheCallersBuffer() throws Exception {
        byte[] in = wire(nop(7, 10), false, true);
        ByteBuffer buffer = ByteBuffer.allocate(64);
        PduFramer f = framer(false, true);
        Pdu p = feedPieces1(f, in, (h, len) -> {
            assertThat(h.i32(16)).isEqualTo(7);
            return buffer.duplicate().position(20).limit(20 + len).slice();
        });
        assertThat(Arrays.copyOfRange(buffer.array(), 20, 30)).isEqualTo(bytes(nop(7, 10).data()));
        assertThat(bytes(p.data())).isEqualTo(bytes(nop(7, 10).data()));
        buffer.put(20, (byte) 99);
        assertThat(p.data().get(0)).isEqualTo((byte) 99); // the PDU's data is that very buffer
    }

    @Test
    void placementOfTheWrongSizeIsIgnored() throws Exception {
        byte[] in = wire(nop(7, 10), false, false);
        ByteBuffer wrong = ByteBuffer.allocate(11);
        Pdu p = feedPieces1(framer(false, false), in, (h, len) -> wrong);
        assertThat(bytes(p.data())).isEqualTo(bytes(nop(7, 10).data()));
        assertThat(wrong.array()).containsOnly(0);
    }

    @Test
    void dataTargetTakesDirectReads() throws Exception {
        byte[] in = wire(nop(3, 6), false, true);
        PduFramer f = framer(false, true);
        assertThat(f.dataTarget()).isNull();
        assertThat(f.feed(ByteBuffer.wrap(in, 0, 48), null)).isNull();
        ByteBuffer target = f.dataTarget();
        assertThat(target.remaining()).isEqualTo(6);
        target.put(in, 48, 6); // what a channel read would do
        assertThat(f.feed(Pdu.EMPTY, null)).isNull();
        assertThat(f.dataTarget()).isNull(); // now padding and digest
        Pdu p = f.feed(ByteBuffer.wrap(in, 54, in.length - 54), null);
        assertThat(bytes(p.data())).isEqualTo(bytes(nop(3, 6).data()));
    }

    @Test
    void unknownOpcodeIsRejectedAndFramingHolds() throws Exception {
        // RFC 7143 11.17.1: reason 05h (command not supported)
        byte[] odd = wire(nop(1, 4), false, false);
        odd[0] = 0x1C;
        byte[] in = concat(odd, wire(nop(2, 0), false, false));
        PduFramer f = framer(false, false);
        ByteBuffer src = ByteBuffer.wrap(in);
        assertThatThrownBy(() -> f.feed(src, null)).isInstanceOfSatisfying(PduException.class,
                e -> assertThat(e.rejectReason()).isEqualTo(Reject.COMMAND_NOT_SUPPORTED));
        assertThat(f.feed(src, null).itt()).isEqualTo(2);
    }

    private static Pdu feedPieces1(PduFramer f, byte[] in, PduChannel.DataPlacement placement) throws PduException {
        Pdu p = null;
        for (int i = 0; i < in.length && p == null; i += 5) {
            p = f.feed(ByteBuffer.wrap(in, i, Math.min(5, in.length - i)), placement);
        }
        return p;
    }

    // ------------------------------------------------------------------ fuzz

    /**
     * Random bytes and mutated valid streams fed in random pieces only ever give PDUs or
     * PduException, and no data segment above the bound is ever placed or returned.
     */
    @Test
    void randomBytesInRandomChunksOnlyGivePdusOrPduExceptions() {
        Random rnd = new Random(7143_2014);
        List<Pdu> seeds = List.of(nop(1, 5), nop(2, 0),
                new DataOut(true, 0, 4, 100, 1, 0, 0, ByteBuffer.allocate(300)),
                new ScsiCommandPdu(false, true, true, false, 1, 0, 5, 4096, 1, 1, new byte[16], null),
                new TextRequest(true, false, false, 0, 6, -1, 2, 1, ByteBuffer.wrap("A=B\0".getBytes())),
                new TaskMgmtRequest(true, 1, 0, 7, 5, 3, 4, 0, 0),
                new LogoutRequest(true, 0, 8, 0, 4, 4));
        int max = 256;
        int pdus = 0;
        long start = System.nanoTime();
        for (int iter = 0; iter < 4000; iter++) {
            boolean hd = rnd.nextBoolean();
            boolean dd = rnd.nextBoolean();
            ByteArrayOutputStream s = new ByteArrayOutputStream();
            for (int k = rnd.nextInt(4); k >= 0; k--) {
                if (rnd.nextInt(4) == 0) {
                    byte[] junk = new byte[rnd.nextInt(200)];
                    rnd.nextBytes(junk);
                    s.writeBytes(junk);
                } else {
                    byte[] w = wire(seeds.get(rnd.nextInt(seeds.size())), hd, dd);
                    for (int flips = rnd.nextInt(4); flips > 0; flips--) {
                        w[rnd.nextInt(w.length)] = (byte) rnd.nextInt(256);
                    }
                    s.writeBytes(w);
                }
            }
            byte[] in = s.toByteArray();
            PduFramer f = framer(hd, dd);
            f.setMaxRecvDataSegmentLength(max);
            PduChannel.DataPlacement placement = (h, len) -> {
                assertThat(len).isBetween(1, max);
                return rnd.nextBoolean() ? null : ByteBuffer.allocate(len);
            };
            int pos = 0;
            try {
                while (pos < in.length) {
                    int n = Math.min(in.length - pos, 1 + rnd.nextInt(64));
                    ByteBuffer piece = ByteBuffer.wrap(in, pos, n);
                    while (piece.hasRemaining()) {
                        try {
                            Pdu p = f.feed(piece, placement);
                            if (p == null) {
                                break;
                            }
                            assertThat(p.data().remaining()).isLessThanOrEqualTo(max);
                            pdus++;
                        } catch (PduException e) {
                            if (e.fatal()) {
                                throw e;
                            }
                        }
                    }
                    pos += n;
                }
            } catch (PduException fatal) {
                // framing lost: the connection would be dropped here
            } catch (RuntimeException e) {
                fail("unchecked exception for input " + HexFormat.of().formatHex(in) + " hd=" + hd + " dd=" + dd, e);
            }
        }
        assertThat(pdus).isPositive();
        assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
    }
}
