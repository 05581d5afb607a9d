package io.xtarget.scsi.copy;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.Nexus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;

/**
 * One ROD token this copy manager created with POPULATE TOKEN: what it represents (ranges of a
 * source LU, read when the token is used: ROD type "access upon reference") and its 512 bytes.
 *
 * <p>The bytes follow the ROD token format of SPC-4 (table "ROD token format") for a block device:
 * <pre>
 *   0..3    ROD TYPE 00010000h (access upon reference)
 *   6..7    ROD TOKEN LENGTH 01F8h
 *   8..15   COPY MANAGER ROD TOKEN IDENTIFIER (a counter from a random start)
 *   16..47  CREATOR LOGICAL UNIT DESCRIPTOR: identification CSCD descriptor (E4h) with the LU's
 *           NAA designator and its block length
 *   48..63  NUMBER OF BYTES REPRESENTED (128 bits)
 *   64..95  ROD TOKEN TYPE SPECIFIC DATA (reserved for access upon reference)
 *   96..127 DEVICE TYPE SPECIFIC DATA (SBC-3: READ CAPACITY(16) data from byte 8: block length,
 *           logical blocks per physical block exponent, LBPME, LBPRZ)
 *   128..   TARGET DEVICE DESCRIPTOR: SCSI name string designator of the target device
 *   then    EXTENDED ROD TOKEN DATA: random bytes from {@link SecureRandom}, never fewer than
 *           {@link #MIN_SECRET_BYTES} (256 bits): what makes the token unguessable
 * </pre>
 * A token is only ever compared in full and in constant time ({@link #matches}).
 */
final class RodToken {
    /** Bytes of the unguessable part at least (a longer target name is cut in the target device descriptor). */
    static final int MIN_SECRET_BYTES = 32;
    private static final int TARGET_DESCRIPTOR_OFFSET = 128;

    private final long id;
    private final byte[] bytes;
    private final LogicalUnit source;
    private final List<RangeDescriptors.Range> ranges;
    private final int sourceBlockSize;
    private final Nexus creator;
    private final long inactivityNanos;
    private final int inactivitySeconds;
    /** Guarded by the table. */
    long lastActiveNanos;
    /** WRITE USING TOKEN commands using it now; guarded by the table. */
    int active;

    private RodToken(long id, byte[] bytes, LogicalUnit source, List<RangeDescriptors.Range> ranges, Nexus creator,
            int inactivitySeconds, long nowNanos) {
        this.id = id;
        this.bytes = bytes;
        this.source = source;
        this.ranges = List.copyOf(ranges);
        this.sourceBlockSize = source.blockSize();
        this.creator = creator;
        this.inactivitySeconds = inactivitySeconds;
        this.inactivityNanos = inactivitySeconds * 1_000_000_000L;
        this.lastActiveNanos = nowNanos;
    }

    /** Builds a token for {@code ranges} of {@code source}, created through {@code creator}'s target. */
    static RodToken create(long id, SecureRandom random, LogicalUnit source, List<RangeDescriptors.Range> ranges,
            Nexus creator, int inactivitySeconds, long nowNanos) {
        ByteBuffer b = ByteBuffer.allocate(TokenLimits.TOKEN_BYTES);
        b.putInt(0, TokenLimits.ROD_TYPE_ACCESS_UPON_REFERENCE);
        b.putShort(6, (short) TokenLimits.ROD_TOKEN_LENGTH);
        b.putLong(8, id);
        creatorDescriptor(b, 16, source);
        long total = 0;
        for (RangeDescriptors.Range r : ranges) {
            total += r.blocks();
        }
        b.putLong(56, total * source.blockSize()); // bytes 48..55 stay zero: the count fits 64 bits
        b.putInt(96, source.blockSize());
        b.put(101, (byte) Integer.numberOfTrailingZeros(source.logicalPerPhysical()));
        b.put(102, (byte) 0xC0); // LBPME=1, LBPRZ=1, LOWEST ALIGNED LBA 0
        int end = targetDescriptor(b, TARGET_DESCRIPTOR_OFFSET, creator.port().targetName());
        byte[] secret = new byte[TokenLimits.TOKEN_BYTES - end];
        random.nextBytes(secret);
        b.put(end, secret);
        return new RodToken(id, b.array(), source, ranges, creator, inactivitySeconds, nowNanos);
    }

    /** Identification CSCD descriptor (SPC-4 6.4.5.6) naming the LU by its NAA designator. */
    private static void creatorDescriptor(ByteBuffer b, int at, LogicalUnit lu) {
        byte[] naa = lu.naa();
        b.put(at, (byte) 0xE4); // identification descriptor; LUIDT 0, PERIPHERAL DEVICE TYPE 0
        b.put(at + 4, (byte) 0x01); // CODE SET binary
        b.put(at + 5, (byte) 0x03); // association logical unit, DESIGNATOR TYPE NAA
        b.put(at + 7, (byte) naa.length);
        b.put(at + 8, naa);
        int bs = lu.blockSize(); // device type specific parameters: DISK BLOCK LENGTH
        b.put(at + 29, (byte) (bs >>> 16)).put(at + 30, (byte) (bs >>> 8)).put(at + 31, (byte) bs);
    }

    /** SCSI name string designator, association target device (SPC-4 7.8.6.11); returns the end offset. */
    private static int targetDescriptor(ByteBuffer b, int at, String targetName) {
        byte[] name = targetName.getBytes(StandardCharsets.UTF_8);
        int max = TokenLimits.TOKEN_BYTES - at - 4 - MIN_SECRET_BYTES;
        int len = Math.min(((name.length + 1 + 3) & ~3), max & ~3);
        b.put(at, (byte) 0x03); // CODE SET UTF-8
        b.put(at + 1, (byte) (0x20 | 0x08)); // association target device, SCSI name string
        b.put(at + 3, (byte) len);
        b.put(at + 4, name, 0, Math.min(name.length, len - 1));
        return at + 4 + len;
    }

    long id() {
        return id;
    }

    /** The 512 bytes handed to the host. */
    byte[] bytes() {
        return bytes.clone();
    }

    /** Whether {@code presented} is this token, compared in constant time. */
    boolean matches(byte[] presented) {
        return MessageDigest.isEqual(bytes, presented);
    }

    LogicalUnit source() {
        return source;
    }

    List<RangeDescriptors.Range> ranges() {
        return ranges;
    }

    /** Block size of the source when the token was made (a restored store may differ: then it is revoked). */
    int sourceBlockSize() {
        return sourceBlockSize;
    }

    /** Bytes the token represents: NUMBER OF BYTES REPRESENTED. */
    long bytesRepresented() {
        long n = 0;
        for (RangeDescriptors.Range r : ranges) {
            n += r.blocks();
        }
        return n * sourceBlockSize;
    }

    Nexus creator() {
        return creator;
    }

    int inactivitySeconds() {
        return inactivitySeconds;
    }

    /** Whether the source still has every range, with the block size the token was made with. */
    boolean sourceIntact() {
        if (source.blockSize() != sourceBlockSize) {
            return false;
        }
        for (RangeDescriptors.Range r : ranges) {
            if (!source.inRange(r.lba(), r.blocks())) {
                return false;
            }
        }
        return true;
    }

    /** Unused for longer than its inactivity timeout at {@code nowNanos} (never while in use). */
    boolean expiredAt(long nowNanos) {
        return active == 0 && nowNanos - lastActiveNanos > inactivityNanos;
    }

    /** Read-only view of the bytes for encoders in this package. */
    ByteBuffer view() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    @Override
    public String toString() {
        return "ROD token " + Long.toHexString(id) + " of " + source.name() + " (" + bytesRepresented() + " bytes)";
    }
}
