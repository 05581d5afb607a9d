package io.xtarget.cli;

import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiUrl;
import io.xtarget.initiator.LoginException;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code xtarget xcopy SRC DST}: has the target copy a block range between two LUs itself, so the
 * data never crosses the network to us: with one EXTENDED COPY(LID1) ({@link ExtendedCopy}), or
 * with {@code --odx} by ROD token as Windows does ({@link TokenCopy}); {@code --zero DST} zeroes a
 * range with the block device zero ROD token. This class reads the command line, logs in
 * ({@link Sessions}), probes both LUs ({@link CopyEnd}) and fits the range ({@link CopyRange}).
 */
@Command(name = "xcopy", mixinStandardHelpOptions = true,
        customSynopsis = {"xtarget xcopy [--odx] [OPTIONS] SRC-URL DST-URL", "xtarget xcopy --zero [OPTIONS] DST-URL"},
        description = {"Copy blocks between two LUs, offloaded to the target: with EXTENDED COPY, or with --odx by",
            "ROD token (POPULATE TOKEN / WRITE USING TOKEN, as Windows does); --zero zeroes a range by token.",
            "URLs: iscsi://host[:port]/target-iqn/lun. EXTENDED COPY goes to the source LU (PUSH); the",
            "destination may be on another target of the same copy manager. --odx populates the token on",
            "the source's session and writes it through the destination's (another session for another target).",
            ""})
public final class XcopyCommand implements Callable<Integer> {
    static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SRC-URL", description = "source LU (with --zero: the LU to zero)")
    String source;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DST-URL", description = "destination LU")
    String destination;

    @Option(names = "--src-lba", paramLabel = "N", description = "first source block (default 0)")
    long srcLba;

    @Option(names = "--dst-lba", paramLabel = "N", description = "first destination block (default 0)")
    long dstLba;

    @Option(names = "--blocks", paramLabel = "N",
            description = "source blocks to copy (default: the rest of the source, capped to the destination;"
                    + " with --zero: blocks to zero, default the rest of the LU)")
    Long blocks;

    @Option(names = "--odx", description = "copy by ROD token (POPULATE TOKEN, WRITE USING TOKEN) instead of EXTENDED COPY")
    boolean odx;

    @Option(names = "--zero", description = "zero the range of DST-URL with the block device zero ROD token")
    boolean zero;

    @Option(names = {"-i", "--initiator"}, paramLabel = "IQN", description = "initiator name to log in with")
    String initiator = "iqn.2026-11.io.xtarget:xcopy";

    @Option(names = "--list-id", paramLabel = "N",
            description = "list identifier 0..255 (default 1; token commands use N and N+1)")
    int listId = 1;

    @Option(names = "--poll-ms", paramLabel = "MS", description = "progress interval (default 500)")
    int pollMillis = 500;

    @Option(names = {"-q", "--quiet"}, description = "no progress lines")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (zero && (odx || destination != null)) {
            return fail(err, EXIT_USAGE, "--zero takes one URL, the LU to zero, and no --odx");
        }
        if (!zero && destination == null) {
            return fail(err, EXIT_USAGE, "missing DST-URL");
        }
        IscsiUrl src;
        IscsiUrl dst;
        try {
            src = IscsiUrl.parse(source);
            dst = zero ? src : IscsiUrl.parse(destination);
        } catch (IllegalArgumentException e) {
            return fail(err, EXIT_USAGE, e.getMessage());
        }
        if (listId < 0 || listId > 255 || srcLba < 0 || dstLba < 0 || (blocks != null && blocks <= 0)
                || pollMillis <= 0) {
            return fail(err, EXIT_USAGE, "--list-id must be 0..255, LBAs >= 0, --blocks and --poll-ms > 0");
        }
        InitiatorOptions options = InitiatorOptions.defaults().withInitiatorName(initiator)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofDays(1));
        try (Sessions sessions = new Sessions(options)) {
            if (zero) {
                CopyEnd d = CopyEnd.open(sessions, dst, "destination");
                new TokenCopy(listId, pollMillis, quiet, out).zero(d, CopyRange.ofDestination(dstLba, blocks,
                        d.capacity()));
                return 0;
            }
            CopyEnd s = CopyEnd.open(sessions, src, "source");
            CopyEnd d = CopyEnd.open(sessions, dst, "destination");
            CopyRange range = CopyRange.fit(srcLba, dstLba, blocks, s.capacity(), d.capacity());
            if (odx) {
                new TokenCopy(listId, pollMillis, quiet, out).copy(s, d, range);
            } else {
                new ExtendedCopy(listId, pollMillis, quiet, out).copy(s, d, range);
            }
            return 0;
        } catch (LoginException e) {
            return fail(err, 1, "login refused: " + e.getMessage());
        } catch (ScsiProbe.ProbeException | IllegalArgumentException | IOException e) {
            return fail(err, 1, e.getMessage());
        }
    }

    private static int fail(PrintWriter err, int code, String message) {
        err.println("xtarget xcopy: " + message);
        err.flush();
        return code;
    }
}
