package io.xtarget.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A loop device over a sparse file, for serving a real block device. Tests using it are skipped
 * (JUnit assumption) unless running as root with a working {@code losetup}. Closing detaches it.
 */
public final class LoopDevice implements AutoCloseable {
    private final Path backingFile;
    private final Path device;
    private boolean attached = true;

    private LoopDevice(Path backingFile, Path device) {
        this.backingFile = backingFile;
        this.device = device;
    }

    /** Creates {@code backingFile} of {@code bytes} and attaches it to a free loop device, or skips the test. */
    public static LoopDevice attachOrSkip(Path backingFile, long bytes) throws IOException, InterruptedException {
        assumeTrue("root".equals(System.getProperty("user.name")), "loop devices need root");
        assumeTrue(Tool.which("losetup") != null || Files.isExecutable(Path.of("/usr/sbin/losetup"))
                || Files.isExecutable(Path.of("/sbin/losetup")), "losetup is not installed");
        assumeTrue(Files.exists(Path.of("/dev/loop-control")), "no /dev/loop-control");
        try (RandomAccessFile f = new RandomAccessFile(backingFile.toFile(), "rw")) {
            f.setLength(bytes);
        }
        Tool.Result r = Tool.run(losetup(), "--find", "--show", backingFile.toString());
        String dev = r.output().trim();
        assumeTrue(r.exitCode() == 0 && dev.startsWith("/dev/loop"), "losetup failed: " + r.output());
        return new LoopDevice(backingFile, Path.of(dev));
    }

    private static String losetup() {
        Path p = Tool.which("losetup");
        if (p != null) {
            return p.toString();
        }
        return Files.isExecutable(Path.of("/usr/sbin/losetup")) ? "/usr/sbin/losetup" : "/sbin/losetup";
    }

    public Path device() {
        return device;
    }

    public Path backingFile() {
        return backingFile;
    }

    /** Detaches the device (idempotent); the kernel writes its cached data to the backing file first. */
    @Override
    public void close() throws IOException {
        if (!attached) {
            return;
        }
        attached = false;
        try {
            Tool.Result r = Tool.run(losetup(), "-d", device.toString());
            if (r.exitCode() != 0) {
                throw new IOException("losetup -d " + device + " failed: " + r.output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted detaching " + device, e);
        }
    }
}
