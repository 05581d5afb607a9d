package io.xtarget.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who serves a Unix socket path, as Linux's /proc/net/unix tells it, without connecting (a
 * connection to a vhost-user socket would be taken for a front-end). Each line of that table is
 * "Num RefCount Protocol Flags Type St Inode [Path]": a socket listening on the path has flag
 * __SO_ACCEPTCON (00010000); each connection the listener accepted is listed with the same path
 * and state SS_CONNECTED (03) until the server closes it.
 */
final class UnixSocketTable {
    static final Path PROC_NET_UNIX = Path.of("/proc/net/unix");
    private static final int SO_ACCEPTCON = 0x10000;
    private static final String SS_CONNECTED = "03";

    /** The sockets bound to one path: whether one listens, and how many accepted connections it has open. */
    record Bound(boolean listening, int accepted) {}

    private UnixSocketTable() {}

    /** What {@code table} (the text of /proc/net/unix) lists for {@code path}. Malformed lines are skipped. */
    static Bound of(String table, String path) {
        boolean listening = false;
        int accepted = 0;
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+", 8);
            if (f.length != 8 || !f[7].equals(path)) {
                continue;
            }
            int flags;
            try {
                flags = Integer.parseInt(f[3], 16);
            } catch (NumberFormatException e) {
                continue;
            }
            if ((flags & SO_ACCEPTCON) != 0) {
                listening = true;
            } else if (f[5].equals(SS_CONNECTED)) {
                accepted++;
            }
        }
        return new Bound(listening, accepted);
    }

    /** The table of this host (this network namespace); null when it cannot be read (not Linux). */
    static String read() {
        try {
            return Files.readString(PROC_NET_UNIX);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
