package io.xtarget.cli;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.SenseData;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;

/**
 * {@code xtarget xcopy --odx SRC DST} and {@code xtarget xcopy --zero DST}: token copy as Windows
 * does it (ODX: SBC-3 POPULATE TOKEN / WRITE USING TOKEN, SPC-4 5.16.4).
 *
 * <p>POPULATE TOKEN on the source names one range of at most the source's MAXIMUM TOKEN TRANSFER
 * SIZE; RECEIVE ROD TOKEN INFORMATION on the same session fetches the token; WRITE USING TOKEN on
 * the destination (through its own session when it is on another target: a token is valid
 * wherever the copy manager reaches its source) writes it in pieces of the destination's OPTIMAL
 * TRANSFER COUNT, never more than its MAXIMUM TOKEN TRANSFER SIZE, one range descriptor each, with
 * OFFSET INTO ROD saying where in the token a piece starts; the last piece deletes the token
 * (DEL_TKN). A WRITE USING TOKEN that ends early with COPY ABORTED / COPY TARGET DEVICE DATA
 * UNDERRUN (0Dh/04h) has written the blocks in INFORMATION: the copy goes on from there, with a new
 * token when the early end was the token's last piece (DEL_TKN ended it). {@code --zero} writes the
 * block device zero ROD token the same way. All commands are synchronous (IMMED=0), as Windows
 * sends them; POPULATE TOKEN and RECEIVE ROD TOKEN INFORMATION use list identifier N, WRITE USING
 * TOKEN N + 1.
 */
final class TokenCopy {
    /** WRITE USING TOKEN commands in a row that leave the copy no further before it gives up. */
    static final int MAX_STALLS = 3;

    private final long listId;
    private final long pollNanos;
    private final CopyReport report;
    private long lastProgress = System.nanoTime();
    private int tokens;
    private int writes;
    private int stalls;
    private long reached;

    TokenCopy(long listId, int pollMillis, boolean quiet, PrintWriter out) {
        this.listId = listId;
        this.pollNanos = pollMillis * 1_000_000L;
        this.report = new CopyReport(out, quiet);
    }

    void copy(CopyEnd src, CopyEnd dst, CopyRange range) throws IOException, ScsiProbe.ProbeException {
        src.probe().requireThirdPartyCopy();
        dst.probe().requireThirdPartyCopy();
        long unit = unit(range);
        long tokenBytes = src.probe().tokenLimits().maxTokenBytes(src.blockSize(), unit);
        long writeBytes = writeBytes(dst, unit);
        if (tokenBytes == 0) {
            throw new ScsiProbe.ProbeException("the source's MAXIMUM TOKEN TRANSFER SIZE is smaller than one "
                    + unit + "-byte block");
        }
        report.begin(String.format("odx %s -> %s: %d blocks of %d bytes (%s), tokens of up to %s, WRITE USING TOKEN"
                + " of up to %s, list id %d", src.url(), dst.url(), range.blocks(), src.blockSize(),
                CopyReport.mib(range.bytes()), CopyReport.mib(tokenBytes), CopyReport.mib(writeBytes), listId));
        int sbs = src.blockSize();
        int dbs = dst.blockSize();
        long total = range.bytes();
        long done = 0;
        while (done < total) {
            long length = Math.min(tokenBytes, total - done);
            byte[] token = populate(src, range.srcLba() + done / sbs, length / sbs);
            long rod = 0;
            while (rod < length) {
                long piece = Math.min(writeBytes, length - rod);
                boolean last = rod + piece == length;
                long written = write(dst, token, last, rod / dbs, range.dstLba() + (done + rod) / dbs, piece, done + rod);
                rod += written;
                boolean newToken = written < piece && last; // DEL_TKN ended the token: a new one for the rest
                if (newToken) {
                    rod -= rod % unit; // the next token starts on a whole source block
                }
                advance(done + rod, total, range.dstLba() + (done + rod) / dbs);
                if (newToken) {
                    break;
                }
            }
            done += rod;
        }
        report.done("copied", total);
    }

    void zero(CopyEnd dst, CopyRange range) throws IOException, ScsiProbe.ProbeException {
        dst.probe().requireThirdPartyCopy();
        long writeBytes = writeBytes(dst, dst.blockSize());
        report.begin(String.format("zero %s: %d blocks of %d bytes (%s) with the block device zero ROD token,"
                + " WRITE USING TOKEN of up to %s", dst.url(), range.blocks(), dst.blockSize(),
                CopyReport.mib(range.bytes()), CopyReport.mib(writeBytes)));
        byte[] zero = TokenParameterLists.zeroToken();
        long total = range.bytes();
        long done = 0;
        while (done < total) {
            long piece = Math.min(writeBytes, total - done);
            done += write(dst, zero, false, 0, range.dstLba() + done / dst.blockSize(), piece, done);
            advance(done, total, range.dstLba() + done / dst.blockSize());
        }
        report.done("zeroed", total);
    }

    private static long unit(CopyRange range) throws ScsiProbe.ProbeException {
        try {
            return range.unit();
        } catch (IllegalArgumentException e) {
            throw new ScsiProbe.ProbeException(e.getMessage());
        }
    }

    private static long writeBytes(CopyEnd dst, long unit) throws IOException, ScsiProbe.ProbeException {
        long n = dst.probe().tokenLimits().writeBytes(dst.blockSize(), unit);
        if (n == 0) {
            throw new ScsiProbe.ProbeException("the destination's token transfer limits are smaller than one "
                    + unit + "-byte block");
        }
        return n;
    }

    /** POPULATE TOKEN of one range, then its token from RECEIVE ROD TOKEN INFORMATION. */
    private byte[] populate(CopyEnd src, long lba, long blocks) throws IOException, ScsiProbe.ProbeException {
        byte[] list = TokenParameterLists.populate(lba, blocks);
        CommandResult r = src.probe().run(TokenParameterLists.populateCdb(listId, list.length), ByteBuffer.wrap(list),
                0);
        if (!r.good()) {
            throw new ScsiProbe.ProbeException("POPULATE TOKEN of " + blocks + " blocks at source LBA " + lba
                    + " failed: " + SenseText.describeToken(r));
        }
        CommandResult info = src.probe().run(TokenParameterLists.receiveRodTokenInformationCdb(listId), null,
                TokenParameterLists.RRTI_ALLOCATION);
        byte[] token = info.good() ? TokenParameterLists.tokenOf(info.dataBytes()) : null;
        if (token == null) {
            throw new ScsiProbe.ProbeException("RECEIVE ROD TOKEN INFORMATION gave no token: "
                    + (info.good() ? "no completed POPULATE TOKEN in its data" : SenseText.describeToken(info)));
        }
        tokens++;
        return token;
    }

    /**
     * One WRITE USING TOKEN of {@code bytes} at destination {@code lba}; returns the bytes written:
     * all, or those an early end (0Dh/04h) reports in INFORMATION.
     *
     * @param offsetIntoRod in destination blocks
     * @param before bytes of the whole copy done before this command, for messages
     */
    private long write(CopyEnd dst, byte[] token, boolean deleteToken, long offsetIntoRod, long lba, long bytes,
            long before) throws IOException, ScsiProbe.ProbeException {
        int bs = dst.blockSize();
        long blocks = bytes / bs;
        byte[] list = TokenParameterLists.writeUsingToken(token, deleteToken, offsetIntoRod, lba, blocks);
        CommandResult r = dst.probe().run(TokenParameterLists.writeUsingTokenCdb(listId + 1, list.length),
                ByteBuffer.wrap(list), 0);
        writes++;
        if (r.good()) {
            return bytes;
        }
        SenseData s = r.status() == CommandResult.CHECK_CONDITION ? r.senseData().orElse(null) : null;
        if (s == null || s.senseKey() != 0x0A || s.asc() != 0x0D || s.ascq() != 0x04 || !s.informationValid()) {
            throw new ScsiProbe.ProbeException("WRITE USING TOKEN of " + blocks + " blocks at destination LBA " + lba
                    + " failed after " + CopyReport.mib(before) + ": " + SenseText.describeToken(r));
        }
        long written = Math.min(s.information(), blocks);
        report.note("WRITE USING TOKEN ended early (COPY TARGET DEVICE DATA UNDERRUN) after " + written + " of "
                + blocks + " blocks: going on from there");
        return written * bs;
    }

    /** Records how far the copy got after a WRITE USING TOKEN; gives up when it stops getting further. */
    void advance(long done, long total, long dstLba) throws ScsiProbe.ProbeException {
        if (done > reached) {
            reached = done;
            stalls = 0;
        } else if (++stalls >= MAX_STALLS) {
            throw new ScsiProbe.ProbeException(MAX_STALLS + " WRITE USING TOKEN commands in a row ended early"
                    + " without getting past destination LBA " + dstLba + " (COPY TARGET DEVICE DATA UNDERRUN)");
        }
        long now = System.nanoTime();
        if (now - lastProgress >= pollNanos || done == total) {
            lastProgress = now;
            report.progress(done, total, tokens + " token(s), " + writes + " WRITE USING TOKEN command(s)");
        }
    }
}
