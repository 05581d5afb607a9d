package io.xtarget.backend.rbd;

import io.xtarget.backend.FlushFailedException;
import io.xtarget.backend.OutOfSpaceException;
import io.xtarget.backend.StoreFencedException;
import io.xtarget.backend.StoreUnavailableException;
import java.io.IOException;

/**
 * Negative errno values from librados and librbd (Linux numbering) as the backend's exceptions:
 * <ul>
 *   <li>{@code -ENOSPC}, {@code -EDQUOT} (a full cluster or pool quota): {@link OutOfSpaceException}
 *       (DATA PROTECT 27h/07h);</li>
 *   <li>{@code -ESHUTDOWN} (Ceph's {@code EBLOCKLISTED} is the same number: another gateway
 *       broke this client's lock and fenced it) and {@code -EROFS} (a write while another client
 *       holds the exclusive lock): {@link StoreFencedException} (NOT READY 04h/0Ah, asymmetric
 *       access state transition; the operation did not happen);</li>
 *   <li>{@code -ETIMEDOUT} (an OSD or monitor op timed out), {@code -ENOTCONN}:
 *       {@link StoreUnavailableException} (NOT READY 04h/00h, the logical unit is not failed);</li>
 *   <li>a failed flush: {@link FlushFailedException} (MEDIUM ERROR, the LU is failed);</li>
 *   <li>anything else, {@code -EIO} included: a plain IOException (MEDIUM ERROR).</li>
 * </ul>
 */
final class RbdErrors {
    static final int ENOENT = 2;
    static final int EIO = 5;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int ERANGE = 34;
    static final int EROFS = 30;
    static final int EILSEQ = 84;
    static final int ENOTCONN = 107;
    static final int ESHUTDOWN = 108;
    static final int ETIMEDOUT = 110;
    static final int EDQUOT = 122;

    private RbdErrors() {}

    /** The errno's name and C library text, e.g. "ENOSPC, No space left on device". */
    static String name(int errno) {
        return switch (errno) {
            case 1 -> "EPERM, Operation not permitted";
            case ENOENT -> "ENOENT, No such file or directory";
            case EIO -> "EIO, Input/output error";
            case 11 -> "EAGAIN, Resource temporarily unavailable";
            case 12 -> "ENOMEM, Cannot allocate memory";
            case 13 -> "EACCES, Permission denied";
            case EBUSY -> "EBUSY, Device or resource busy";
            case EEXIST -> "EEXIST, File exists";
            case EINVAL -> "EINVAL, Invalid argument";
            case 27 -> "EFBIG, File too large";
            case ENOSPC -> "ENOSPC, No space left on device";
            case EROFS -> "EROFS, Read-only file system";
            case ERANGE -> "ERANGE, Numerical result out of range";
            case 95 -> "EOPNOTSUPP, Operation not supported";
            case EILSEQ -> "EILSEQ, Invalid or incomplete multibyte or wide character";
            case ENOTCONN -> "ENOTCONN, Transport endpoint is not connected";
            case ESHUTDOWN -> "ESHUTDOWN/EBLOCKLISTED, client blocklisted or shut down";
            case ETIMEDOUT -> "ETIMEDOUT, Connection timed out";
            case EDQUOT -> "EDQUOT, Disk quota exceeded";
            default -> "errno " + errno;
        };
    }

    /** The exception for {@code what} (e.g. "write of rbd/vm1 at 4096") failing with {@code -errno}. */
    static IOException of(String what, int errno) {
        String message = what + " failed: " + name(errno) + " (-" + errno + ")";
        return switch (errno) {
            case ENOSPC, EDQUOT -> new OutOfSpaceException(message, null);
            case ESHUTDOWN -> new StoreFencedException(message, StoreFencedException.Reason.BLOCKLISTED);
            case EROFS -> new StoreFencedException(message, StoreFencedException.Reason.LOCKED_ELSEWHERE);
            case ETIMEDOUT, ENOTCONN -> new StoreUnavailableException(message);
            default -> new IOException(message);
        };
    }

    /**
     * A failed flush: unavailability and fencing stay what they are (acknowledged writes are on the
     * cluster), the rest lost data.
     */
    static IOException flushFailure(String what, int errno) {
        IOException e = of(what, errno);
        return e instanceof StoreUnavailableException || e instanceof StoreFencedException ? e
                : new FlushFailedException(e.getMessage(), e);
    }
}
