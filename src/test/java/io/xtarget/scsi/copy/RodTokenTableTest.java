package io.xtarget.scsi.copy;

import static io.xtarget.scsi.copy.CopyFixture.lu;
import static io.xtarget.scsi.copy.ParameterListParserTest.assertSense;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.copy.RangeDescriptors.Range;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RodTokenTableTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong clock = new AtomicLong(1000 * SECOND);
    private final CopyStats stats = new CopyStats();
    private final LogicalUnit a = lu("a", 512, 4096, 1);
    private final LogicalUnit b = lu("b", 4096, 512, 2);
    private final Nexus host = nexus("iqn.2026-01.test:host");

    private static Nexus nexus(String initiator) {
        return IscsiPorts.nexus(initiator, 1, IscsiPorts.targetPort("iqn.2026-01.test:t", 1, 1, 1, "127.0.0.1:3260"));
    }

    private RodTokenTable table(int max, int perInitiator) {
        TokenLimits l = new TokenLimits(64, 60, 600, 1L << 30, 1L << 20, max, perInitiator, Duration.ofSeconds(2));
        return new RodTokenTable(l, clock::get, new SecureRandom(), stats);
    }

    private static void assertRefusal(ThrowingRunnable r, int asc, int ascq) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ScsiException.class,
                e -> assertSense(e.sense(), SenseKey.ILLEGAL_REQUEST, asc, ascq));
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void tokenBytesFollowTheRodTokenFormat() throws ScsiException {
        RodToken t = table(8, 8).create(a, List.of(new Range(8, 16), new Range(100, 4)), host, 60);
        ByteBuffer bytes = ByteBuffer.wrap(t.bytes());
        assertThat(bytes.capacity()).isEqualTo(512);
        assertThat(bytes.getInt(0)).as("ROD TYPE access upon reference").isEqualTo(0x00010000);
        assertThat(bytes.getShort(6)).as("ROD TOKEN LENGTH").isEqualTo((short) 0x01F8);
        assertThat(bytes.get(16)).as("creator LU: identification descriptor").isEqualTo((byte) 0xE4);
        assertThat(bytes.get(21)).as("association LU, type NAA").isEqualTo((byte) 0x03);
        assertThat(Arrays.copyOfRange(t.bytes(), 24, 40)).as("the LU's NAA").isEqualTo(a.naa());
        assertThat(bytes.getLong(56)).as("NUMBER OF BYTES REPRESENTED").isEqualTo(20 * 512);
        assertThat(bytes.getInt(96)).as("block length").isEqualTo(512);
        assertThat(bytes.get(129)).as("target device, SCSI name string").isEqualTo((byte) 0x28);
    }

    @Test
    void tokensAreUniqueWithAtLeast256RandomBits() throws ScsiException {
        RodTokenTable table = table(4096, 4096);
        Set<String> seen = new HashSet<>();
        Set<String> secrets = new HashSet<>();
        int secretFrom = 128 + 4 + (table.create(a, List.of(new Range(0, 1)), host, 60).bytes()[131] & 0xFF);
        assertThat(512 - secretFrom).as("random bytes").isGreaterThanOrEqualTo(RodToken.MIN_SECRET_BYTES);
        for (int i = 0; i < 2000; i++) {
            byte[] t = table.create(a, List.of(new Range(0, 1)), host, 60).bytes();
            assertThat(seen.add(java.util.HexFormat.of().formatHex(t))).isTrue();
            assertThat(secrets.add(java.util.HexFormat.of().formatHex(t, secretFrom, secretFrom + 32))).isTrue();
        }
    }

    @Test
    void acquireFindsTheTokenOnlyByAllItsBytes() throws ScsiException {
        RodTokenTable table = table(8, 8);
        RodToken t = table.create(a, List.of(new Range(0, 8)), host, 60);
        assertThat(table.acquire(t.bytes())).isSameAs(t);
        table.release(t, false);
        byte[] forged = t.bytes();
        forged[511] ^= 1;
        assertRefusal(() -> table.acquire(forged), 0x23, 0x04);
        assertRefusal(() -> table.acquire(new byte[512]), 0x23, 0x04);
    }

    @Test
    void inactivityTimeoutExpiresTokensButNeverOneInUse() throws ScsiException {
        RodTokenTable table = table(8, 8);
        RodToken idle = table.create(a, List.of(new Range(0, 8)), host, 10);
        RodToken busy = table.create(a, List.of(new Range(8, 8)), host, 10);
        table.acquire(busy.bytes());
        clock.addAndGet(10 * SECOND);
        assertThat(table.acquire(idle.bytes())).as("exactly the timeout: still alive").isSameAs(idle);
        table.release(idle, false);
        clock.addAndGet(11 * SECOND);
        assertRefusal(() -> table.acquire(idle.bytes()), 0x23, 0x07);
        assertRefusal(() -> table.acquire(idle.bytes()), 0x23, 0x07); // remembered as expired
        assertThat(table.live()).containsExactly(busy);
        table.release(busy, false);
        clock.addAndGet(11 * SECOND);
        assertThat(table.live()).isEmpty();
        assertThat(stats.tokens().expired()).isEqualTo(2);
    }

    @Test
    void delTknDeletesAfterUse() throws ScsiException {
        RodTokenTable table = table(8, 8);
        RodToken t = table.create(a, List.of(new Range(0, 8)), host, 60);
        table.release(table.acquire(t.bytes()), true);
        assertRefusal(() -> table.acquire(t.bytes()), 0x23, 0x09);
        assertThat(table.size()).isZero();
    }

    @Test
    void revocationEndsEveryTokenOfTheLu() throws ScsiException {
        RodTokenTable table = table(8, 8);
        RodToken ta = table.create(a, List.of(new Range(0, 8)), host, 60);
        RodToken tb = table.create(b, List.of(new Range(0, 8)), host, 60);
        assertThat(table.revoke(List.of(a))).isEqualTo(1);
        assertRefusal(() -> table.acquire(ta.bytes()), 0x23, 0x06);
        assertThat(table.acquire(tb.bytes())).isSameAs(tb);
    }

    @Test
    void aSourceThatLostTheRangesRevokesTheToken() throws ScsiException {
        RodTokenTable table = table(8, 8);
        RodToken t = table.create(a, List.of(new Range(4000, 96)), host, 60);
        RodToken outside = table.create(a, List.of(new Range(4095, 2)), host, 60); // checked by the caller normally
        assertThat(table.acquire(t.bytes())).isSameAs(t);
        assertRefusal(() -> table.acquire(outside.bytes()), 0x23, 0x06);
    }

    @Test
    void tableAndInitiatorBoundsRefuseWithInsufficientResources() throws ScsiException {
        RodTokenTable table = table(3, 2);
        table.create(a, List.of(new Range(0, 1)), host, 60);
        table.create(a, List.of(new Range(0, 1)), host, 60);
        assertThatThrownBy(() -> table.create(a, List.of(new Range(0, 1)), host, 60))
                .isInstanceOfSatisfying(ScsiException.class,
                        e -> assertSense(e.sense(), SenseKey.ILLEGAL_REQUEST, 0x55, 0x03));
        Nexus other = nexus("iqn.2026-01.test:other");
        table.create(a, List.of(new Range(0, 1)), other, 60);
        assertThatThrownBy(() -> table.create(a, List.of(new Range(0, 1)), other, 60))
                .isInstanceOf(ScsiException.class);
        clock.addAndGet(61 * SECOND); // expired tokens do not count
        table.create(a, List.of(new Range(0, 1)), other, 60);
        assertThat(table.size()).isEqualTo(1);
        assertThat(stats.tokens().created()).isEqualTo(4);
    }
}
