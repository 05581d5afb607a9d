package io.xtarget.server;

/** Runs {@code serve} from the test classpath (for poking at a build by hand). */
public final class DevServe {
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new io.xtarget.cli.ServeCommand()).execute(args));
    }
}
