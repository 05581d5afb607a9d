package io.xtarget.scsi.copy;

import static io.xtarget.scsi.copy.CopyFixture.heap;
import static io.xtarget.scsi.copy.CopyFixture.lu;
import static io.xtarget.scsi.copy.CopyFixture.map;
import static io.xtarget.scsi.copy.CopyFixture.target;
import static io.xtarget.scsi.copy.ParameterListParserTest.assertSense;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.Target;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An identification descriptor CSCD (E4h, SPC-4 6.4.5.6) names an LU only when CODE SET,
 * ASSOCIATION, DESIGNATOR TYPE, DESIGNATOR LENGTH and the designator bytes all equal one of the
 * LU's VPD 0x83 designators (7.8.6). A mismatch in any one field is an unknown copy target: COPY
 * ABORTED / COPY TARGET DEVICE NOT REACHABLE (0Dh/02h), nothing copied.
 */
class CscdMatchingTest {
    private final CopyFixture f = new CopyFixture();
    private final LogicalUnit src = lu("src", 512, 64, 1);
    private final LogicalUnit dst = lu("dst", 512, 64, 2);
    private final Target t1 = target("iqn.t1", 1, map(new LunMapping(0, src, false), new LunMapping(1, dst, false)),
            CopyAccessPolicy.INITIATOR);

    /** An E4h descriptor naming the destination by its NAA exactly as VPD 0x83 reports it. */
    private byte[] exactNaa() {
        byte[] d = new byte[32];
        d[0] = (byte) 0xE4;
        d[4] = 0x01; // code set binary
        d[5] = 0x03; // association logical unit, designator type NAA
        d[7] = 16;
        System.arraycopy(dst.naa(), 0, d, 8, 16);
        d[30] = 0x02; // disk block length 512
        return d;
    }

    /** The same, by the EUI-64 designator (code set binary, type 2, 8 bytes). */
    private byte[] exactEui64() {
        byte[] d = exactNaa();
        byte[] eui = dst.designators().get(2).value();
        Arrays.fill(d, 8, 28, (byte) 0);
        d[5] = 0x02;
        d[7] = 8;
        System.arraycopy(eui, 0, d, 8, 8);
        return d;
    }

    static Stream<Arguments> mismatches() {
        return Stream.of(
                Arguments.of("code set ASCII", (UnaryOperator<byte[]>) d -> set(d, 4, 0x02)),
                Arguments.of("code set UTF-8", (UnaryOperator<byte[]>) d -> set(d, 4, 0x03)),
                Arguments.of("association target port", (UnaryOperator<byte[]>) d -> set(d, 5, 0x13)),
                Arguments.of("association target device", (UnaryOperator<byte[]>) d -> set(d, 5, 0x23)),
                Arguments.of("designator type EUI-64", (UnaryOperator<byte[]>) d -> set(d, 5, 0x02)),
                Arguments.of("designator type T10 vendor ID", (UnaryOperator<byte[]>) d -> set(d, 5, 0x01)),
                Arguments.of("length 20, zero padded", (UnaryOperator<byte[]>) d -> set(d, 7, 20)),
                Arguments.of("length 15", (UnaryOperator<byte[]>) d -> set(set(d, 7, 15), 23, 0)),
                Arguments.of("last byte", (UnaryOperator<byte[]>) d -> set(d, 23, d[23] ^ 0x01)),
                Arguments.of("first byte (NAA 5)", (UnaryOperator<byte[]>) d -> set(d, 8, 0x50)));
    }

    private static byte[] set(byte[] d, int i, int v) {
        d[i] = (byte) v;
        return d;
    }

    private ScsiResult copyTo(byte[] destinationCscd) {
        f.targets(t1);
        CopyFixture.fill(src, 1);
        CopyFixture.fill(dst, 2);
        return f.xcopy(t1, 0, new CopyFixture.Params().cscd(src).raw(destinationCscd).b2b(0, 1, 8, 0, 0).build());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mismatches")
    void oneMismatchedFieldIsAnUnreachableTargetAndNothingIsCopied(String field, UnaryOperator<byte[]> change) {
        f.targets(t1);
        CopyFixture.fill(dst, 2);
        byte[] before = heap(dst).bytes().clone();
        ScsiResult r = copyTo(change.apply(exactNaa()));
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
        assertThat(r.sense().commandSpecific()).as("failing segment").isZero();
        assertThat(heap(dst).bytes()).as(field + ": destination unchanged").isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mismatches")
    void theSameFieldsAsTheSourceCscdToo(String field, UnaryOperator<byte[]> change) {
        byte[] srcCscd = exactNaa();
        System.arraycopy(src.naa(), 0, srcCscd, 8, 16);
        f.targets(t1);
        CopyFixture.fill(dst, 2);
        byte[] before = heap(dst).bytes().clone();
        ScsiResult r = f.xcopy(t1, 0,
                new CopyFixture.Params().raw(change.apply(srcCscd)).cscd(dst).b2b(0, 1, 8, 0, 0).build());
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
        assertThat(heap(dst).bytes()).as(field).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exact")
    void anExactDesignatorResolves(String name) {
        ScsiResult r = copyTo(name.equals("NAA") ? exactNaa() : exactEui64());
        assertThat(r.status()).as(String.valueOf(r.sense())).isEqualTo(ScsiStatus.GOOD);
        assertThat(Arrays.copyOf(heap(dst).bytes(), 8 * 512)).isEqualTo(Arrays.copyOf(heap(src).bytes(), 8 * 512));
    }

    static Stream<String> exact() {
        return Stream.of("NAA", "EUI-64");
    }
}
