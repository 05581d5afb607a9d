package io.xtarget.iscsi;

import static io.xtarget.iscsi.DataOutCollector.UNSOLICITED;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.DataOutCollector.Accept;
import io.xtarget.iscsi.DataOutCollector.Drop;
import io.xtarget.iscsi.DataOutCollector.Fail;
import io.xtarget.iscsi.DataOutCollector.Refuse;
import io.xtarget.iscsi.DataOutCollector.Solicitation;
import io.xtarget.iscsi.DataOutCollector.Verdict;
import io.xtarget.scsi.SenseKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/** The Data-Out rules of one write command, without a socket: {@link DataOutCollector}. */
class DataOutCollectorTest {
    private static final int FBL = 4096;

    /** Target transfer tags 100, 101, ... */
    private final IntSupplier ttts = new IntSupplier() {
        int next = 100;

        @Override
        public int getAsInt() {
            return next++;
        }
    };

    /** Checks and, when accepted, commits one Data-Out; returns the verdict. */
    private static Verdict deliver(DataOutCollector c, int ttt, int dataSn, long offset, int length, boolean fin) {
        Verdict v = c.check(ttt, dataSn, offset, length, fin);
        if (v instanceof Accept a) {
            assertThat(a.offset()).isEqualTo(offset);
            assertThat(a.length()).isEqualTo(length);
            c.commit(ttt, length, fin);
        }
        return v;
    }

    private static void assertFails(Verdict v, int asc, int ascq) {
        assertThat(v).isInstanceOf(Fail.class);
        Fail f = (Fail) v;
        assertThat(f.violation().sense().key()).isEqualTo(SenseKey.ABORTED_COMMAND);
        assertThat(f.violation().sense().asc()).isEqualTo(asc);
        assertThat(f.violation().sense().ascq()).isEqualTo(ascq);
    }

    /** After a Fail nothing more is accepted: every header is dropped and nothing counts. */
    private static void assertDeadAfterFail(DataOutCollector c, long received, int ttt) {
        assertThat(c.failure()).isNotNull();
        assertThat(c.check(ttt, 0, received, 512, false)).isInstanceOf(Drop.class);
        assertThat(c.check(UNSOLICITED, 0, received, 512, false)).isInstanceOf(Drop.class);
        c.commit(ttt, 512, true);
        assertThat(c.received()).isEqualTo(received);
        assertThat(c.complete()).isFalse();
        assertThat(c.awaitingSolicited()).isFalse();
        assertThat(c.solicit(4, 4096, () -> 999)).isEmpty();
    }

    // ------------------------------------------------------------------ correct flows

    @Test
    void immediateDataAloneCompletesTheCommand() {
        // RFC 7143 13.11: immediate data up to FirstBurstLength carries the whole transfer
        DataOutCollector c = new DataOutCollector(512, 512, false, FBL);
        assertThat(c.complete()).isTrue();
        assertThat(c.received()).isEqualTo(512);
        assertThat(c.solicit(1, 4096, ttts)).isEmpty();
        assertThat(c.awaitingSolicited()).isFalse();
    }

    @Test
    void immediateThenUnsolicitedBurstCompletesWithoutR2t() {
        // RFC 7143 13.14: immediate + unsolicited Data-Out together are at most FirstBurstLength
        DataOutCollector c = new DataOutCollector(4096, 1024, true, FBL);
        assertThat(c.solicit(1, 4096, ttts)).isEmpty();
        assertThat(deliver(c, UNSOLICITED, 0, 1024, 1024, false)).isInstanceOf(Accept.class);
        assertThat(c.complete()).isFalse();
        assertThat(deliver(c, UNSOLICITED, 1, 2048, 2048, true)).isInstanceOf(Accept.class);
        assertThat(c.complete()).isTrue();
        assertThat(c.solicit(1, 4096, ttts)).isEmpty();
    }

    @Test
    void noR2tWhileTheUnsolicitedBurstIsOpen() {
        // RFC 7143 11.8: the target solicits what the unsolicited burst does not carry
        DataOutCollector c = new DataOutCollector(8192, 0, true, FBL);
        assertThat(c.solicit(4, 4096, ttts)).isEmpty();
        deliver(c, UNSOLICITED, 0, 0, 2048, false);
        assertThat(c.solicit(4, 4096, ttts)).isEmpty();
        deliver(c, UNSOLICITED, 1, 2048, 2048, false); // reaches FirstBurstLength: burst over
        assertThat(c.solicit(4, 4096, ttts)).containsExactly(new Solicitation(100, 0, 4096, 4096));
    }

    @Test
    void unsolicitedBurstEndedEarlyByFinBitThenR2tsForTheRest() {
        // RFC 7143 11.7.1: F ends the unsolicited sequence; the rest is solicited
        DataOutCollector c = new DataOutCollector(8192, 0, true, FBL);
        assertThat(deliver(c, UNSOLICITED, 0, 0, 1024, true)).isInstanceOf(Accept.class);
        assertThat(c.solicit(1, 4096, ttts)).containsExactly(new Solicitation(100, 0, 1024, 4096));
        assertThat(c.awaitingSolicited()).isTrue();
        assertThat(deliver(c, 100, 0, 1024, 4096, true)).isInstanceOf(Accept.class);
        assertThat(c.solicit(1, 4096, ttts)).containsExactly(new Solicitation(101, 1, 5120, 3072));
        assertThat(deliver(c, 101, 0, 5120, 3072, true)).isInstanceOf(Accept.class);
        assertThat(c.complete()).isTrue();
        assertThat(c.awaitingSolicited()).isFalse();
    }

    @Test
    void r2tsOneAtATimeWithMaxOutstandingR2tOne() {
        // RFC 7143 13.17: at most MaxOutstandingR2T R2Ts per task; R2TSN counts from 0
        DataOutCollector c = new DataOutCollector(10000, 0, false, FBL);
        assertThat(c.solicit(1, 4096, ttts)).containsExactly(new Solicitation(100, 0, 0, 4096));
        assertThat(c.solicit(1, 4096, ttts)).isEmpty();
        deliver(c, 100, 0, 0, 2048, false);
        assertThat(c.solicit(1, 4096, ttts)).isEmpty(); // the R2T is still outstanding
        deliver(c, 100, 1, 2048, 2048, true);
        assertThat(c.solicit(1, 4096, ttts)).containsExactly(new Solicitation(101, 1, 4096, 4096));
        deliver(c, 101, 0, 4096, 4096, true);
        assertThat(c.solicit(1, 4096, ttts)).containsExactly(new Solicitation(102, 2, 8192, 1808));
        deliver(c, 102, 0, 8192, 1808, true);
        assertThat(c.complete()).isTrue();
        assertThat(c.solicit(1, 4096, ttts)).isEmpty();
    }

    @Test
    void severalR2tsOutstandingWithMaxOutstandingR2tAboveOne() {
        // RFC 7143 11.8, 13.17: each R2T at most MaxBurstLength, in offset order
        DataOutCollector c = new DataOutCollector(10000, 0, false, FBL);
        assertThat(c.solicit(2, 4096, ttts)).containsExactly(new Solicitation(100, 0, 0, 4096),
                new Solicitation(101, 1, 4096, 4096));
        assertThat(c.outstandingTags()).containsExactly(100, 101);
        deliver(c, 100, 0, 0, 4096, true);
        assertThat(c.solicit(2, 4096, ttts)).containsExactly(new Solicitation(102, 2, 8192, 1808));
        deliver(c, 101, 0, 4096, 4096, true);
        deliver(c, 102, 0, 8192, 1808, true);
        assertThat(c.complete()).isTrue();
        assertThat(c.outstandingTags()).isEmpty();
    }

    @Test
    void immediateDataShiftsTheFirstR2t() {
        // RFC 7143 11.8: R2Ts ask for what immediate data did not carry
        DataOutCollector c = new DataOutCollector(3000, 1000, false, FBL);
        assertThat(c.solicit(4, 4096, ttts)).containsExactly(new Solicitation(100, 0, 1000, 2000));
    }

    // ------------------------------------------------------------------ violations

    @Test
    void gapBeforeTheAcceptedPrefixFails() {
        // RFC 7143 13.19 DataPDUInOrder=Yes: each PDU starts where the data so far ends
        DataOutCollector c = new DataOutCollector(8192, 0, false, FBL);
        c.solicit(1, 8192, ttts);
        deliver(c, 100, 0, 0, 512, false);
        assertFails(c.check(100, 1, 1024, 512, false), 0x4B, 0x05);
        assertDeadAfterFail(c, 512, 100);
    }

    @Test
    void sameOffsetTwiceIsAnOverlayAndFails() {
        // RFC 7143 13.19: overlays are not allowed with DataPDUInOrder=Yes
        DataOutCollector c = new DataOutCollector(8192, 0, false, FBL);
        c.solicit(1, 8192, ttts);
        deliver(c, 100, 0, 0, 512, false);
        assertFails(c.check(100, 1, 0, 512, false), 0x4B, 0x05);
        assertDeadAfterFail(c, 512, 100);
    }

    @Test
    void overlayInTheUnsolicitedBurstFails() {
        // RFC 7143 13.19
        DataOutCollector c = new DataOutCollector(8192, 0, true, FBL);
        deliver(c, UNSOLICITED, 0, 0, 512, false);
        assertFails(c.check(UNSOLICITED, 1, 256, 512, false), 0x4B, 0x05);
        assertDeadAfterFail(c, 512, UNSOLICITED);
    }

    @Test
    void dataBeyondTheR2tRangeFails() {
        // RFC 7143 11.8.4: a sequence carries at most the R2T's desired data transfer length
        DataOutCollector c = new DataOutCollector(8192, 0, false, FBL);
        c.solicit(1, 4096, ttts);
        assertFails(c.check(100, 0, 0, 4608, true), 0x4B, 0x02);
        assertDeadAfterFail(c, 0, 100);
    }

    @Test
    void unsolicitedDataBeyondTheExpectedLengthFails() {
        // RFC 7143 11.3.4: no more data than the expected data transfer length
        DataOutCollector c = new DataOutCollector(1000, 0, true, FBL);
        assertFails(c.check(UNSOLICITED, 0, 0, 1024, true), 0x4B, 0x02);
        assertDeadAfterFail(c, 0, UNSOLICITED);
    }

    @Test
    void unsolicitedDataBeyondFirstBurstLengthFails() {
        // RFC 7143 13.14: unsolicited data is at most FirstBurstLength
        DataOutCollector c = new DataOutCollector(8192, 1024, true, FBL);
        assertFails(c.check(UNSOLICITED, 0, 1024, 4096, true), 0x0C, 0x0C);
        assertDeadAfterFail(c, 1024, UNSOLICITED);
    }

    @Test
    void unknownTargetTransferTagFails() {
        // RFC 7143 11.7.4: the TTT must be one the target sent in an R2T
        DataOutCollector c = new DataOutCollector(8192, 0, false, FBL);
        c.solicit(1, 4096, ttts);
        assertFails(c.check(777, 0, 0, 512, false), 0x4B, 0x01);
        assertDeadAfterFail(c, 0, 100);
    }

    @Test
    void dataForALaterR2tBeforeTheEarlierCompletesFails() {
        // RFC 7143 13.18 DataSequenceInOrder=Yes: sequences arrive in offset order
        DataOutCollector c = new DataOutCollector(8192, 0, false, FBL);
        c.solicit(2, 4096, ttts);
        deliver(c, 100, 0, 0, 1024, false);
        assertFails(c.check(101, 0, 4096, 1024, false), 0x4B, 0x05);
        assertDeadAfterFail(c, 1024, 101);
    }

    @Test
    void unsolicitedDataSnOutOfOrderFails() {
        // RFC 7143 11.7.5: DataSN starts at 0 and increments per PDU of a sequence
        DataOutCollector c = new DataOutCollector(8192, 0, true, FBL);
        deliver(c, UNSOLICITED, 0, 0, 512, false);
        assertFails(c.check(UNSOLICITED, 2, 512, 512, false), 0x4B, 0x00);
        assertDeadAfterFail(c, 512, UNSOLICITED);
    }

    @Test
    void solicitedDataSnOutOfOrderFails() {
        // RFC 7143 11.7.5: DataSN restarts at 0 for each R2T's sequence
        DataOutCollector c = new DataOutCollector(8192, 0, false, FBL);
        c.solicit(1, 4096, ttts);
        assertFails(c.check(100, 1, 0, 512, false), 0x4B, 0x00);
        assertDeadAfterFail(c, 0, 100);
    }

    @Test
    void finBitBeforeTheR2tsEndFails() {
        // RFC 7143 11.7.1: F marks the last PDU of the sequence the R2T asked for
        DataOutCollector c = new DataOutCollector(8192, 0, false, FBL);
        c.solicit(1, 4096, ttts);
        assertFails(c.check(100, 0, 0, 2048, true), 0x4B, 0x00);
        assertDeadAfterFail(c, 0, 100);
    }

    @Test
    void unsolicitedDataWhenInitialR2tIsYesFails() {
        // RFC 7143 13.10 InitialR2T=Yes: no unsolicited Data-Out
        DataOutCollector c = new DataOutCollector(8192, 0, false, FBL);
        assertFails(c.check(UNSOLICITED, 0, 0, 512, false), 0x0C, 0x0C);
        assertDeadAfterFail(c, 0, UNSOLICITED);
    }

    @Test
    void unsolicitedDataAfterTheBurstEndedFails() {
        // RFC 7143 11.7.1: after F on the unsolicited sequence only solicited data may come
        DataOutCollector c = new DataOutCollector(8192, 0, true, FBL);
        deliver(c, UNSOLICITED, 0, 0, 512, true);
        assertFails(c.check(UNSOLICITED, 1, 512, 512, false), 0x0C, 0x0C);
        assertDeadAfterFail(c, 512, UNSOLICITED);
    }

    @Test
    void externalFailureDropsEverythingAfterwards() {
        // RFC 7143 7.8: a data digest error fails the command at ERL 0
        DataOutCollector c = new DataOutCollector(8192, 0, false, FBL);
        c.solicit(1, 4096, ttts);
        c.fail(new DataOutCollector.Violation(new io.xtarget.scsi.Sense(SenseKey.ABORTED_COMMAND, 0x47, 0x05),
                "digest"));
        assertDeadAfterFail(c, 0, 100);
        assertThat(c.failure().sense().asc()).isEqualTo(0x47); // the first failure is kept
    }

    @Test
    void dataOutAfterCompletionIsRefused() {
        // RFC 7143 11.17.1: a PDU that belongs to no transfer is answered with a Reject
        DataOutCollector c = new DataOutCollector(1024, 0, false, FBL);
        c.solicit(1, 4096, ttts);
        deliver(c, 100, 0, 0, 1024, true);
        assertThat(c.complete()).isTrue();
        assertThat(c.check(100, 1, 1024, 512, true)).isInstanceOf(Refuse.class);
        assertThat(c.check(UNSOLICITED, 0, 0, 512, true)).isInstanceOf(Refuse.class);
        assertThat(c.received()).isEqualTo(1024);
        assertThat(c.failure()).isNull();
    }

    @Test
    void receivedIsTheAcceptedPrefixAndCompleteOnlyWhenEveryByteArrived() {
        DataOutCollector c = new DataOutCollector(3000, 100, true, 1000);
        assertThat(c.received()).isEqualTo(100);
        Verdict v = c.check(UNSOLICITED, 0, 100, 900, true);
        assertThat(c.received()).isEqualTo(100); // a checked PDU counts only once committed
        c.commit(UNSOLICITED, ((Accept) v).length(), true);
        assertThat(c.received()).isEqualTo(1000);
        Solicitation r = c.solicit(1, 65536, ttts).getFirst();
        assertThat(r).isEqualTo(new Solicitation(100, 0, 1000, 2000));
        deliver(c, 100, 0, 1000, 1999, false);
        assertThat(c.received()).isEqualTo(2999);
        assertThat(c.complete()).isFalse();
        deliver(c, 100, 1, 2999, 1, true);
        assertThat(c.complete()).isTrue();
    }

    // ------------------------------------------------------------------ property

    @Test
    void randomDataOutHeadersNeverBreakThePrefixInvariant() {
        Random rnd = new Random(7143);
        for (int iter = 0; iter < 3000; iter++) {
            long expected = 1 + rnd.nextInt(20000);
            int fbl = 512 * (1 + rnd.nextInt(16));
            int immediate = rnd.nextBoolean() ? 0 : (int) Math.min(expected, Math.min(fbl, rnd.nextInt(4096)));
            boolean unsolicited = rnd.nextBoolean();
            int maxOutstanding = 1 + rnd.nextInt(3);
            int maxBurst = 512 * (1 + rnd.nextInt(16));
            DataOutCollector c = new DataOutCollector(expected, immediate, unsolicited, fbl);
            List<Solicitation> issued = new ArrayList<>();
            int[] nextDataSn = new int[64];
            int unsolicitedDataSn = 0;
            int tag = 1;
            for (int step = 0; step < 60; step++) {
                if (rnd.nextInt(4) == 0) {
                    final int base = tag;
                    List<Solicitation> got = c.solicit(maxOutstanding, maxBurst, new IntSupplier() {
                        int n = base;

                        @Override
                        public int getAsInt() {
                            return n++;
                        }
                    });
                    tag += got.size();
                    issued.addAll(got);
                }
                boolean honest = rnd.nextInt(10) < 8;
                int ttt;
                if (!issued.isEmpty() && (rnd.nextInt(3) > 0 || !unsolicited)) {
                    ttt = issued.get(honest ? issued.size() - 1 : rnd.nextInt(issued.size())).ttt();
                } else {
                    ttt = rnd.nextInt(8) == 0 ? rnd.nextInt(tag + 2) : UNSOLICITED;
                }
                int dataSn = ttt == UNSOLICITED ? unsolicitedDataSn : (ttt > 0 && ttt < 64 ? nextDataSn[ttt] : 0);
                if (!honest) {
                    dataSn += rnd.nextInt(3) - 1;
                }
                long offset = honest ? c.received() : Math.max(0, c.received() + rnd.nextInt(2049) - 1024);
                int length = rnd.nextInt(honest ? 2048 : 8192);
                boolean fin = rnd.nextBoolean();
                long before = c.received();
                Verdict v = c.check(ttt, dataSn, offset, length, fin);
                if (v instanceof Accept a) {
                    assertThat(a.offset()).isEqualTo(before); // only ever at the end of the prefix
                    assertThat(a.offset() + a.length()).isLessThanOrEqualTo(expected);
                    c.commit(ttt, length, fin);
                    if (ttt == UNSOLICITED) {
                        unsolicitedDataSn++;
                    } else if (ttt < 64) {
                        nextDataSn[ttt]++;
                    }
                } else {
                    assertThat(c.received()).isEqualTo(before);
                }
                if (v instanceof Fail || c.failure() != null) {
                    assertThat(c.check(ttt, dataSn, c.received(), 1, false)).isInstanceOf(Drop.class);
                }
                assertThat(c.received()).isBetween(0L, expected);
                if (c.complete()) {
                    assertThat(c.received()).isEqualTo(expected);
                }
            }
        }
    }
}
