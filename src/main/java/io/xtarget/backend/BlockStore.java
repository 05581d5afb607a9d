package io.xtarget.backend;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A store on a raw block device (e.g. /dev/loop0, /dev/sdb). The capacity is the device's,
 * rounded down to whole logical blocks; it cannot be configured.
 */
public final class BlockStore extends ChannelStore {
    private final Path device;

    private BlockStore(Path device, FileChannel channel, int blockSize, long sizeBytes) {
        super(channel, blockSize, sizeBytes);
        this.device = device;
    }

    /** @throws NoSuchFileException when the device does not exist (any more) */
    public static BlockStore open(Path device, int blockSize) throws IOException {
        StoreGeometry.checkBlockSize(blockSize);
        if (!Files.exists(device)) {
            throw new NoSuchFileException(device + " does not exist");
        }
        if (Files.isRegularFile(device) || Files.isDirectory(device)) {
            throw new IOException(device + " is not a block device");
        }
        FileChannel ch = FileChannel.open(device, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long size = deviceSize(device, ch);
            long usable = size - size % blockSize;
            if (usable == 0) {
                throw new IOException(device + " is smaller than one " + blockSize + "-byte block");
            }
            return new BlockStore(device, ch, blockSize, usable);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * The device size in bytes. JDK 25 on Linux answers FileChannel.size() for block devices
     * (it asks the kernel via BLKGETSIZE64); older JDKs returned 0, so fall back to sysfs
     * ("size" counts 512-byte sectors whatever the logical block size), then to seeking the end.
     */
    static long deviceSize(Path device, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size > 0) {
            return size;
        }
        Path real = device.toRealPath();
        Path sys = Path.of("/sys/class/block", real.getFileName().toString(), "size");
        if (Files.isReadable(sys)) {
            try {
                long sectors = Long.parseLong(Files.readString(sys).trim());
                if (sectors > 0) {
                    return sectors * 512;
                }
            } catch (NumberFormatException ignored) {
                // fall through to seeking
            }
        }
        try (var raf = new java.io.RandomAccessFile(real.toFile(), "r")) {
            return raf.length();
        }
    }

    public Path device() {
        return device;
    }

    @Override
    public String kind() {
        return "block";
    }

    @Override
    public String toString() {
        return "BlockStore(" + device + ", " + sizeBytes() + " bytes)";
    }
}
