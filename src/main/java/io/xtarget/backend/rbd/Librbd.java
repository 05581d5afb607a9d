package io.xtarget.backend.rbd;

import static io.xtarget.backend.rbd.NativeCalls.handle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The FFM bindings of librados ({@code librados.so.2}) and librbd ({@code librbd.so.1}), the C
 * APIs of Debian's {@code librados2} and {@code librbd1} packages ({@code rados/librados.h},
 * {@code rbd/librbd.h}); nothing but the downcall handles and the C types they take. Handles
 * ({@code rados_t}, {@code rados_ioctx_t}, {@code rbd_image_t}, {@code rbd_completion_t}) are
 * opaque pointers; {@code size_t}, {@code ssize_t} and {@code uint64_t} are Java longs. Functions
 * that return an {@code int} or {@code ssize_t} return 0 (or a count) on success and a negative
 * errno on failure ({@link RbdErrors}); the asynchronous ones report the outcome of the operation
 * itself through their completion ({@link RbdCompletion}).
 *
 * <p>The libraries are loaded once, on first use; {@link #get} throws an IOException naming the
 * missing package when they are not installed, so a host without Ceph never loads them.
 */
final class Librbd {
    /** {@code LIBRADOS_OP_FLAG_FADVISE_FUA}: write through any cache to stable storage. */
    static final int OP_FLAG_FUA = 0x80;

    /** {@code void (*rbd_callback_t)(rbd_completion_t cb, void *arg)}. */
    static final FunctionDescriptor COMPLETION_CALLBACK = FunctionDescriptor.ofVoid(ADDRESS, ADDRESS);
    /** {@code int (*cb)(uint64_t offset, size_t length, int exists, void *arg)} of rbd_diff_iterate2. */
    static final FunctionDescriptor DIFF_CALLBACK = FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT,
            ADDRESS);


    // librados
    final MethodHandle radosCreate; // int rados_create(rados_t *cluster, const char *id)
    final MethodHandle radosConfReadFile; // int rados_conf_read_file(rados_t, const char *path)
    final MethodHandle radosConfSet; // int rados_conf_set(rados_t, const char *option, const char *value)
    final MethodHandle radosConnect; // int rados_connect(rados_t)
    final MethodHandle radosShutdown; // void rados_shutdown(rados_t)
    final MethodHandle radosIoctxCreate; // int rados_ioctx_create(rados_t, const char *pool, rados_ioctx_t *)
    final MethodHandle radosIoctxDestroy; // void rados_ioctx_destroy(rados_ioctx_t)

    // librbd: images
    final MethodHandle rbdCreate; // int rbd_create(rados_ioctx_t, const char *name, uint64_t size, int *order)
    final MethodHandle rbdOpen; // int rbd_open(rados_ioctx_t, const char *name, rbd_image_t *, const char *snap)
    final MethodHandle rbdClose; // int rbd_close(rbd_image_t)
    final MethodHandle rbdGetSize; // int rbd_get_size(rbd_image_t, uint64_t *size)
    // int rbd_diff_iterate2(rbd_image_t, const char *fromsnap, uint64_t ofs, uint64_t len,
    //     uint8_t include_parent, uint8_t whole_object, int (*cb)(...), void *arg)
    final MethodHandle rbdDiffIterate2;

    // librbd: asynchronous I/O
    final MethodHandle rbdAioCreateCompletion; // int (void *arg, rbd_callback_t, rbd_completion_t *)
    final MethodHandle rbdAioGetReturnValue; // ssize_t (rbd_completion_t)
    final MethodHandle rbdAioRelease; // void (rbd_completion_t)
    final MethodHandle rbdAioRead; // int (rbd_image_t, uint64_t off, size_t len, char *buf, rbd_completion_t)
    // int (rbd_image_t, uint64_t off, size_t len, const char *buf, rbd_completion_t, int op_flags)
    final MethodHandle rbdAioWrite2;
    final MethodHandle rbdAioFlush; // int (rbd_image_t, rbd_completion_t)
    final MethodHandle rbdAioDiscard; // int (rbd_image_t, uint64_t off, uint64_t len, rbd_completion_t)
    // int (rbd_image_t, uint64_t off, size_t len, const char *buf, size_t data_len, rbd_completion_t, int op_flags)
    final MethodHandle rbdAioWritesame;
    // ssize_t (rbd_image_t, uint64_t off, size_t len, const char *cmp_buf, const char *buf,
    //     rbd_completion_t, uint64_t *mismatch_off, int op_flags)
    final MethodHandle rbdAioCompareAndWrite;
    final MethodHandle rbdLockAcquire; // int rbd_lock_acquire(rbd_image_t, rbd_lock_mode_t)
    final MethodHandle rbdLockRelease; // int rbd_lock_release(rbd_image_t)
    final MethodHandle rbdIsExclusiveLockOwner; // int rbd_is_exclusive_lock_owner(rbd_image_t, int *is_owner)
    final MethodHandle rbdGetFeatures; // int rbd_get_features(rbd_image_t, uint64_t *features)
    /** {@code RBD_FEATURE_EXCLUSIVE_LOCK} of rbd/features.h. */
    static final long FEATURE_EXCLUSIVE_LOCK = 1L << 2;
    // int rbd_lock_get_owners(rbd_image_t, rbd_lock_mode_t *mode, char **owners, size_t *max_owners):
    // -ERANGE with *max_owners set to the count when the array is too small, -ENOENT when unlocked
    final MethodHandle rbdLockGetOwners;
    final MethodHandle rbdLockGetOwnersCleanup; // void rbd_lock_get_owners_cleanup(char **owners, size_t count)
    // int rbd_lock_break(rbd_image_t, rbd_lock_mode_t, const char *owner): blocklists the owner's
    // client first when rbd_blocklist_on_break_lock is true
    final MethodHandle rbdLockBreak;
    // int rbd_watchers_list(rbd_image_t, rbd_image_watcher_t *watchers, size_t *max_watchers):
    // -ERANGE with *max_watchers set to the count when the array is too small
    final MethodHandle rbdWatchersList;
    final MethodHandle rbdWatchersListCleanup; // void rbd_watchers_list_cleanup(rbd_image_watcher_t *, size_t)
    /** sizeof(rbd_image_watcher_t): {@code char *addr; int64_t id; uint64_t cookie;}. */
    static final long WATCHER_SIZE = 24;
    /** RBD_LOCK_MODE_EXCLUSIVE of {@code rbd_lock_mode_t}. */
    static final int LOCK_MODE_EXCLUSIVE = 0;

    private Librbd(SymbolLookup rados, SymbolLookup rbd) {
        radosCreate = handle(rados, "rados_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        radosConfReadFile = handle(rados, "rados_conf_read_file", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        radosConfSet = handle(rados, "rados_conf_set", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        radosConnect = handle(rados, "rados_connect", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        radosShutdown = handle(rados, "rados_shutdown", FunctionDescriptor.ofVoid(ADDRESS));
        radosIoctxCreate = handle(rados, "rados_ioctx_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        radosIoctxDestroy = handle(rados, "rados_ioctx_destroy", FunctionDescriptor.ofVoid(ADDRESS));

        rbdCreate = handle(rbd, "rbd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
        rbdOpen = handle(rbd, "rbd_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        rbdClose = handle(rbd, "rbd_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        rbdGetSize = handle(rbd, "rbd_get_size", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        rbdDiffIterate2 = handle(rbd, "rbd_diff_iterate2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                JAVA_LONG, JAVA_LONG, JAVA_BYTE, JAVA_BYTE, ADDRESS, ADDRESS));

        rbdAioCreateCompletion = handle(rbd, "rbd_aio_create_completion",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        rbdAioGetReturnValue = handle(rbd, "rbd_aio_get_return_value", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        rbdAioRelease = handle(rbd, "rbd_aio_release", FunctionDescriptor.ofVoid(ADDRESS));
        rbdAioRead = handle(rbd, "rbd_aio_read",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS));
        rbdAioWrite2 = handle(rbd, "rbd_aio_write2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT));
        rbdAioFlush = handle(rbd, "rbd_aio_flush", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        rbdAioDiscard = handle(rbd, "rbd_aio_discard",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        rbdAioWritesame = handle(rbd, "rbd_aio_writesame", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG,
                JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT));
        rbdAioCompareAndWrite = handle(rbd, "rbd_aio_compare_and_write", FunctionDescriptor.of(JAVA_LONG, ADDRESS,
                JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        rbdLockAcquire = handle(rbd, "rbd_lock_acquire", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        rbdLockRelease = handle(rbd, "rbd_lock_release", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        rbdGetFeatures = handle(rbd, "rbd_get_features", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        rbdIsExclusiveLockOwner = handle(rbd, "rbd_is_exclusive_lock_owner",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        rbdLockGetOwners = handle(rbd, "rbd_lock_get_owners",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        rbdLockGetOwnersCleanup = handle(rbd, "rbd_lock_get_owners_cleanup",
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
        rbdLockBreak = handle(rbd, "rbd_lock_break", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        rbdWatchersList = handle(rbd, "rbd_watchers_list", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        rbdWatchersListCleanup = handle(rbd, "rbd_watchers_list_cleanup", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
    }

    /** A stub librbd can call back into, living as long as the process. */
    MemorySegment upcall(MethodHandle target, FunctionDescriptor fd) {
        return NativeCalls.upcall(target, fd);
    }

    private static final class Holder {
        static final Librbd INSTANCE;
        static final String FAILURE;

        static {
            Librbd lib = null;
            String failure = null;
            try {
                Arena arena = Arena.global();
                lib = new Librbd(SymbolLookup.libraryLookup("librados.so.2", arena),
                        SymbolLookup.libraryLookup("librbd.so.1", arena));
            } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
                failure = "librbd.so.1 or librados.so.2 cannot be loaded (apt-get install librbd1): " + e.getMessage();
            }
            INSTANCE = lib;
            FAILURE = failure;
        }
    }

    /**
     * The bindings, loading the libraries on first use.
     *
     * @throws IOException when librbd or librados is not installed (or lacks a function)
     */
    static Librbd get() throws IOException {
        if (Holder.INSTANCE == null) {
            throw new IOException(Holder.FAILURE);
        }
        return Holder.INSTANCE;
    }

    /** Whether librbd and librados can be loaded on this host (tests skip without them). */
    static boolean available() {
        return Holder.INSTANCE != null;
    }

    /** Turns a Throwable from {@code MethodHandle.invokeExact} into an unchecked error: a downcall never throws. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
