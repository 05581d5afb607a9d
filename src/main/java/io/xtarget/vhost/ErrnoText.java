package io.xtarget.vhost;

/** Short names of the errno values the vhost-user calls meet, for log lines. */
final class ErrnoText {
    private ErrnoText() {}

    static String of(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 4 -> "EINTR";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 17 -> "EEXIST";
            case 20 -> "ENOTDIR";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE";
            case 32 -> "EPIPE";
            case 36 -> "ENAMETOOLONG";
            case 98 -> "EADDRINUSE";
            case 104 -> "ECONNRESET";
            case 111 -> "ECONNREFUSED";
            default -> "errno " + errno;
        };
    }
}
