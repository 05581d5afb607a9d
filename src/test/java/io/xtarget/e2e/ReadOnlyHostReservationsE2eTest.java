package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.CommandResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A read-only host may not reserve, release, clear or preempt (SPC-4 5.12; SPC-2 5.5.1 for
 * RESERVE(6)/(10)): a reservation locks every other host out, so taking or ending one is a change
 * to state the read-write host shares. REGISTER only adds the reader's own key and stays allowed.
 */
@Timeout(60)
class ReadOnlyHostReservationsE2eTest extends ReadOnlyHostE2e {
    static final long WRITER_KEY = 0xAAAA;
    static final long READER_KEY = 0xBBBB;
    static final int REGISTER = 0;
    static final int RESERVE = 1;
    static final int RELEASE = 2;
    static final int CLEAR = 3;
    static final int PREEMPT = 4;
    static final int PREEMPT_AND_ABORT = 5;
    static final int REGISTER_AND_IGNORE_EXISTING_KEY = 6;
    static final int WRITE_EXCLUSIVE = 1;
    static final int WRITE_EXCLUSIVE_ALL_REGISTRANTS = 7;

    /** Both hosts registered, the writer holding a reservation of {@code type}. */
    void writerReservesReaderRegistered(int type) throws Exception {
        prOutGood(writer, REGISTER, 0, 0, WRITER_KEY);
        prOutGood(reader, REGISTER, 0, 0, READER_KEY);
        prOutGood(writer, RESERVE, type, WRITER_KEY, 0);
    }

    /** The reader's PR OUT {@code sa} is WRITE PROTECTED; keys, reservation and the writer's access are as before. */
    void assertRefusedAndNothingChanged(int sa, int type, long serviceActionKey) throws Exception {
        List<Long> keys = readKeys(writer);
        String reservation = readReservation(writer);
        assertWriteProtected(prOut(reader, sa, type, READER_KEY, serviceActionKey));
        assertThat(readKeys(writer)).isEqualTo(keys).containsExactly(WRITER_KEY, READER_KEY);
        assertThat(readReservation(reader)).isEqualTo(reservation);
        assertWriterStillWrites(DISK, 100);
    }

    @Test
    void registerFromTheReadOnlyHostIsAllowed() throws Exception {
        prOutGood(reader, REGISTER, 0, 0, READER_KEY);
        assertThat(readKeys(writer)).containsExactly(READER_KEY);
        prOutGood(reader, REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0, READER_KEY + 1);
        assertThat(readKeys(writer)).containsExactly(READER_KEY + 1);
        assertThat(readReservation(writer)).isEqualTo("none");
        assertWriterStillWrites(DISK, 100);
    }

    @Test
    void prOutReserveIsWriteProtected() throws Exception {
        prOutGood(reader, REGISTER, 0, 0, READER_KEY);
        assertWriteProtected(prOut(reader, RESERVE, WRITE_EXCLUSIVE, READER_KEY, 0));
        assertThat(readReservation(writer)).isEqualTo("none");
        assertThat(readKeys(writer)).containsExactly(READER_KEY);
        assertWriterStillWrites(DISK, 100);
    }

    @Test // the reader is a reservation holder of an all-registrants reservation, and still may not release it
    void prOutReleaseIsWriteProtected() throws Exception {
        writerReservesReaderRegistered(WRITE_EXCLUSIVE_ALL_REGISTRANTS);
        assertThat(readReservation(writer)).isEqualTo("0/7"); // all registrants: key 0
        assertRefusedAndNothingChanged(RELEASE, WRITE_EXCLUSIVE_ALL_REGISTRANTS, 0);
    }

    @Test
    void prOutClearIsWriteProtected() throws Exception {
        writerReservesReaderRegistered(WRITE_EXCLUSIVE);
        assertThat(readReservation(writer)).isEqualTo("aaaa/1");
        assertRefusedAndNothingChanged(CLEAR, 0, 0);
    }

    @Test
    void prOutPreemptIsWriteProtected() throws Exception {
        writerReservesReaderRegistered(WRITE_EXCLUSIVE);
        assertRefusedAndNothingChanged(PREEMPT, WRITE_EXCLUSIVE, WRITER_KEY);
        assertThat(readReservation(writer)).isEqualTo("aaaa/1");
    }

    @Test
    void prOutPreemptAndAbortIsWriteProtected() throws Exception {
        writerReservesReaderRegistered(WRITE_EXCLUSIVE);
        assertRefusedAndNothingChanged(PREEMPT_AND_ABORT, WRITE_EXCLUSIVE, WRITER_KEY);
        assertThat(readReservation(writer)).isEqualTo("aaaa/1");
    }

    @Test
    void reserve6IsWriteProtected() throws Exception {
        assertSpc2ReserveRefused(new byte[] {0x16, 0, 0, 0, 0, 0}, new byte[] {0x17, 0, 0, 0, 0, 0});
    }

    @Test
    void reserve10IsWriteProtected() throws Exception {
        assertSpc2ReserveRefused(new byte[] {0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                new byte[] {0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    }

    /** RESERVE from the reader is refused; the writer is not locked out and may reserve the LU itself. */
    void assertSpc2ReserveRefused(byte[] reserve, byte[] release) throws Exception {
        assertWriteProtected(Scsi.run(reader, DISK, reserve, null, 0));
        assertWriterStillWrites(DISK, 200);
        assertThat(Scsi.run(reader, DISK, Scsi.read10(0, 1), null, BLOCK).status())
                .as("the reader still reads: no reservation conflict").isEqualTo(CommandResult.GOOD);
        assertThat(Scsi.run(writer, DISK, reserve, null, 0).status()).as("nobody holds the LU")
                .isEqualTo(CommandResult.GOOD);
        assertThat(Scsi.run(writer, DISK, release, null, 0).status()).isEqualTo(CommandResult.GOOD);
    }
}
