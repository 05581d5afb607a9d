package io.xtarget.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small, real file system that can fill up: a tmpfs of a given size mounted on a directory,
 * for tests of running out of space. Tests using it are skipped (JUnit assumption, naming the
 * reason) unless running as root where mount(8) may mount tmpfs (CI runs as root). Closing
 * unmounts it.
 */
public final class SmallFileSystem implements AutoCloseable {
    private final Path dir;
    private boolean mounted = true;

    private SmallFileSystem(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code bytes} on {@code dir} (created if missing), or skips the test. */
    public static SmallFileSystem mountOrSkip(Path dir, long bytes) throws IOException, InterruptedException {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root");
        Files.createDirectories(dir);
        String out = run("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0700", "tmpfs", dir.toString());
        assumeTrue(out == null, "cannot mount a tmpfs (not permitted here?): " + out);
        return new SmallFileSystem(dir);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        if (!mounted) {
            return;
        }
        mounted = false;
        try {
            String out = run("umount", dir.toString());
            if (out != null) {
                throw new IOException("umount " + dir + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted unmounting " + dir, e);
        }
    }

    /** Null on success, else the exit code and output. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + " did not finish within 30 s";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
    }
}
