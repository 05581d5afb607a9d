package io.xtarget.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an external program (the libiscsi tools) with a time limit and captures its output. */
public final class Tool {
    public static final long TIMEOUT_SECONDS = 30;

    /** Exit code and combined stdout + stderr. */
    public record Result(int exitCode, String output) {}

    private Tool() {}

    /** The program's path on PATH, or null. */
    public static Path which(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Skips the calling test (JUnit assumption) when a program is not installed. */
    public static void assumeInstalled(String... programs) {
        for (String p : programs) {
            assumeTrue(which(p) != null, p + " is not installed");
        }
    }

    public static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        // Output is small; read it on a virtual thread so a full pipe never blocks the tool.
        List<byte[]> out = new ArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                out.add(p.getInputStream().readAllBytes());
            } catch (IOException ignored) {
                // the process was killed
            }
        });
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join();
            throw new IOException(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s");
        }
        reader.join();
        return new Result(p.exitValue(), out.isEmpty() ? "" : new String(out.getFirst(), StandardCharsets.UTF_8));
    }
}
