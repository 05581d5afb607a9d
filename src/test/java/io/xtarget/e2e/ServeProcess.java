package io.xtarget.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code xtarget serve} in a JVM of its own (the test's JDK and class path, {@code io.xtarget.cli.Main}),
 * for tests that must end the server the hard way: {@link #kill()} is SIGKILL, so no shutdown
 * hook, no flush and no close runs. Its output goes to a log file beside the config.
 */
public final class ServeProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("xtarget ready on \\[[^\\]]*?/?127\\.0\\.0\\.1:(\\d+)");
    private static final long START_TIMEOUT_MS = 30_000;

    private final Process process;
    private final Path log;
    private final int port;

    private ServeProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code xtarget serve --config FILE ARGS...} and waits until it serves. */
    public static ServeProcess start(Path config, String... args) throws IOException, InterruptedException {
        Path log = config.resolveSibling("serve-" + System.nanoTime() + ".log");
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:MaxDirectMemorySize=256m",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.xtarget.cli.Main", "serve", "--config", config.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            Matcher m = READY.matcher(read(log));
            if (m.find()) {
                return new ServeProcess(p, log, Integer.parseInt(m.group(1)));
            }
            if (!p.isAlive()) {
                throw new IOException("xtarget serve exited with " + p.exitValue() + ":\n" + read(log));
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IOException("xtarget serve did not get ready within " + START_TIMEOUT_MS + " ms:\n" + read(log));
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port it serves on (its portal is {@code 127.0.0.1:0}). */
    public int port() {
        return port;
    }

    /** {@code iscsi://127.0.0.1:PORT/target/lun}. */
    public String url(String target, int lun) {
        return "iscsi://127.0.0.1:" + port + "/" + target + "/" + lun;
    }

    /** Everything it logged so far. */
    /** The process id (thread dumps with jstack). */
    public long pid() {
        return process.pid();
    }

    public String log() {
        return read(log);
    }

    /** kill -9: SIGKILL (Process.destroyForcibly on Linux), then waits for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("xtarget serve survived SIGKILL");
        }
    }

    /** SIGSTOP: the process stops where it is (its sockets stay open, the kernel still queues input). */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            signal0("CONT"); // a paused process must run to die of SIGKILL promptly
        }
        if (process.isAlive()) {
            kill();
        }
    }

    private void signal0(String name) throws InterruptedException {
        try {
            signal(name);
        } catch (IOException e) {
            // gone meanwhile
        }
    }
}
