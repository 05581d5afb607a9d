package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.SenseData;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A read-only host may not change the mode pages (SPC-4 7.5: every page is shared by all
 * nexuses), load or eject a removable medium (SBC-3 5.25), or make an EXTENDED COPY write to an
 * LU it reaches only read-only (SPC-4 6.4): DATA PROTECT / WRITE PROTECTED, nothing changed, and
 * the read-write host keeps writing.
 */
@Timeout(60)
class ReadOnlyHostDeviceStateE2eTest extends ReadOnlyHostE2e {
    static final int CACHING = 0x08;
    static final int CONTROL = 0x0A;

    @Test
    void modeSelectOfTheControlPageWithSwpIsWriteProtected() throws Exception {
        byte[] page = modePage(reader, DISK, CONTROL);
        assertThat(page[4] & 0x08).as("SWP").isZero();
        page[0] &= 0x3F; // PS is reserved in MODE SELECT
        page[4] |= 0x08;
        ByteBuffer list = ByteBuffer.allocate(8 + page.length).put(8, page);
        assertWriteProtected(Scsi.run(reader, DISK, Scsi.modeSelect10(list.capacity()), list, 0));
        assertThat(modePage(writer, DISK, CONTROL)[4] & 0x08).as("SWP after the refused MODE SELECT").isZero();
        CommandResult tur = writer.execute(DISK, Scsi.testUnitReady(), null, 0);
        assertThat(tur.status()).as("no MODE PARAMETERS CHANGED for the writer: %s", tur).isZero();
        assertWriterStillWrites(DISK, 300);
    }

    @Test
    void modeSelectOfTheCachingPageIsWriteProtected() throws Exception {
        byte[] page = modePage(reader, DISK, CACHING);
        assertThat(page[2] & 0x04).as("WCE").isEqualTo(0x04);
        page[0] &= 0x3F;
        page[2] &= ~0x04;
        ByteBuffer list = ByteBuffer.allocate(4 + page.length).put(4, page); // MODE SELECT(6) header
        byte[] select6 = {0x15, 0x10, 0, 0, (byte) list.capacity(), 0};
        assertWriteProtected(Scsi.run(reader, DISK, select6, list, 0));
        assertThat(modePage(writer, DISK, CACHING)[2] & 0x04).as("WCE after the refused MODE SELECT").isEqualTo(0x04);
        assertWriterStillWrites(DISK, 300);
    }

    @Test
    void startStopUnitThatEjectsOrLoadsIsWriteProtected() throws Exception {
        assertWriteProtected(Scsi.run(reader, CD, new byte[] {0x1B, 0, 0, 0, 0x02, 0}, null, 0)); // LOEJ=1 START=0
        assertThat(Scsi.run(writer, CD, Scsi.testUnitReady(), null, 0).status()).as("medium still loaded")
                .isEqualTo(CommandResult.GOOD);
        assertWriterStillWrites(CD, 40);
        assertWriteProtected(Scsi.run(reader, CD, new byte[] {0x1B, 0, 0, 0, 0x03, 0}, null, 0)); // LOEJ=1 START=1
        // starting (START=1, LOEJ=0) changes nothing for anyone and stays allowed
        assertThat(Scsi.run(reader, CD, new byte[] {0x1B, 0, 0, 0, 0x01, 0}, null, 0).status())
                .isEqualTo(CommandResult.GOOD);
        assertThat(Scsi.run(reader, CD, Scsi.testUnitReady(), null, 0).status()).isEqualTo(CommandResult.GOOD);
        assertWriterStillWrites(CD, 48);
    }

    @Test
    void extendedCopyToTheReadOnlyLuIsWriteProtected() throws Exception {
        byte[] source = Scsi.random(8 * BLOCK, 7);
        Scsi.write(reader, SOURCE, 10, source, BLOCK);
        byte[] before = Scsi.read(writer, DISK, 500, 8 * BLOCK, BLOCK);
        String src = server.naa("src0");
        String disk = server.naa("ram0");

        // sent to the source LU, naming the LU the reader reaches only read-only as destination
        SenseData s = assertWriteProtected(extendedCopy(reader, SOURCE, copyList(1, List.of(src, disk), 0, 1, 8, 10, 500)));
        assertThat(s.commandSpecific()).as("failing segment").isZero();
        // sent to the read-only LU itself, destination FFFFh (the receiving LU)
        assertWriteProtected(extendedCopy(reader, DISK, copyList(2, List.of(src), 0, 0xFFFF, 8, 10, 500)));
        assertThat(Scsi.read(writer, DISK, 500, 8 * BLOCK, BLOCK)).as("nothing copied").isEqualTo(before);

        // an LU the reader cannot reach at all stays COPY TARGET DEVICE NOT REACHABLE
        CommandResult unreachable = extendedCopy(reader, SOURCE,
                copyList(3, List.of(src, server.naa("mine")), 0, 1, 8, 10, 500));
        SenseData u = Scsi.sense(unreachable);
        assertThat(new int[] {u.senseKey(), u.asc(), u.ascq()}).as("%s", unreachable).containsExactly(0x0A, 0x0D, 0x02);

        // the writer may copy to it (positive control: the list is right)
        CommandResult copied = extendedCopy(writer, SOURCE, copyList(4, List.of(src, disk), 0, 1, 8, 10, 500));
        assertThat(copied.status()).as("%s", copied).isEqualTo(CommandResult.GOOD);
        assertThat(Scsi.read(reader, DISK, 500, 8 * BLOCK, BLOCK)).isEqualTo(source);
        assertWriterStillWrites(DISK, 600);
    }
}
