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
 * The FFM bindings of the librados object calls a {@link RadosRecord} uses ({@code
 * rados/librados.h} of Debian's {@code librados2}): pool contexts, whole-object reads, write
 * operations with a version assertion, watch/notify, and advisory locks (cls_lock) with a duration. Only downcall handles and the C types
 * they take: handles are opaque pointers, {@code size_t}, {@code uint64_t} and {@code time_t}
 * Java longs; calls return 0 (or a byte count) on success and a negative errno on failure.
 */
final class Librados {
    /**
     * {@code void (*rados_watchcb2_t)(void *arg, uint64_t notify_id, uint64_t handle,
     * uint64_t notifier_id, void *data, size_t data_len)}.
     */
    static final FunctionDescriptor WATCH_CALLBACK = FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, ADDRESS, JAVA_LONG);
    /** {@code void (*rados_watcherrcb_t)(void *pre, uint64_t cookie, int err)}. */
    static final FunctionDescriptor WATCH_ERROR_CALLBACK = FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT);
    /** {@code LIBRADOS_CREATE_EXCLUSIVE}. */
    static final int CREATE_EXCLUSIVE = 1;

    final MethodHandle ioctxCreate; // int rados_ioctx_create(rados_t, const char *pool, rados_ioctx_t *)
    final MethodHandle ioctxDestroy; // void rados_ioctx_destroy(rados_ioctx_t)
    final MethodHandle read; // int rados_read(rados_ioctx_t, const char *oid, char *buf, size_t len, uint64_t off)
    final MethodHandle writeFull; // int rados_write_full(rados_ioctx_t, const char *oid, const char *buf, size_t len)
    final MethodHandle getLastVersion; // uint64_t rados_get_last_version(rados_ioctx_t)
    final MethodHandle createWriteOp; // rados_write_op_t rados_create_write_op(void)
    final MethodHandle releaseWriteOp; // void rados_release_write_op(rados_write_op_t)
    final MethodHandle writeOpAssertVersion; // void rados_write_op_assert_version(rados_write_op_t, uint64_t ver)
    final MethodHandle writeOpCreate; // void rados_write_op_create(rados_write_op_t, int exclusive, const char *category)
    final MethodHandle writeOpWriteFull; // void rados_write_op_write_full(rados_write_op_t, const char *buf, size_t len)
    // int rados_write_op_operate(rados_write_op_t, rados_ioctx_t, const char *oid, time_t *mtime, int flags)
    final MethodHandle writeOpOperate;
    // int rados_watch2(rados_ioctx_t, const char *o, uint64_t *cookie, rados_watchcb2_t, rados_watcherrcb_t, void *arg)
    final MethodHandle watch2;
    final MethodHandle unwatch2; // int rados_unwatch2(rados_ioctx_t, uint64_t cookie)
    final MethodHandle watchFlush; // int rados_watch_flush(rados_t)
    // int rados_notify2(rados_ioctx_t, const char *o, const char *buf, int buf_len, uint64_t timeout_ms,
    //     char **reply_buffer, size_t *reply_buffer_len)
    final MethodHandle notify2;
    // int rados_notify_ack(rados_ioctx_t, const char *o, uint64_t notify_id, uint64_t cookie, const char *buf, int len)
    final MethodHandle notifyAck;
    final MethodHandle bufferFree; // void rados_buffer_free(char *buf)
    // int rados_lock_exclusive(rados_ioctx_t, const char *o, const char *name, const char *cookie,
    //     const char *desc, struct timeval *duration, uint8_t flags)
    final MethodHandle lockExclusive;
    // int rados_unlock(rados_ioctx_t, const char *o, const char *name, const char *cookie)
    final MethodHandle unlock;
    // int rados_break_lock(rados_ioctx_t, const char *o, const char *name, const char *client, const char *cookie)
    final MethodHandle breakLock;
    // ssize_t rados_list_lockers(rados_ioctx_t, const char *o, const char *name, int *exclusive, char *tag,
    //     size_t *tag_len, char *clients, size_t *clients_len, char *cookies, size_t *cookies_len,
    //     char *addrs, size_t *addrs_len)
    final MethodHandle listLockers;
    /** {@code LIBRADOS_LOCK_FLAG_RENEW}: renew a lock this cookie holds instead of failing with EEXIST. */
    static final byte LOCK_FLAG_RENEW = 1;

    private Librados(SymbolLookup rados) {
        ioctxCreate = handle(rados, "rados_ioctx_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        ioctxDestroy = handle(rados, "rados_ioctx_destroy", FunctionDescriptor.ofVoid(ADDRESS));
        read = handle(rados, "rados_read", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG,
                JAVA_LONG));
        writeFull = handle(rados, "rados_write_full", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
                JAVA_LONG));
        getLastVersion = handle(rados, "rados_get_last_version", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        createWriteOp = handle(rados, "rados_create_write_op", FunctionDescriptor.of(ADDRESS));
        releaseWriteOp = handle(rados, "rados_release_write_op", FunctionDescriptor.ofVoid(ADDRESS));
        writeOpAssertVersion = handle(rados, "rados_write_op_assert_version",
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
        writeOpCreate = handle(rados, "rados_write_op_create", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS));
        writeOpWriteFull = handle(rados, "rados_write_op_write_full",
                FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG));
        writeOpOperate = handle(rados, "rados_write_op_operate",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        watch2 = handle(rados, "rados_watch2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS));
        unwatch2 = handle(rados, "rados_unwatch2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        watchFlush = handle(rados, "rados_watch_flush", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        notify2 = handle(rados, "rados_notify2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT,
                JAVA_LONG, ADDRESS, ADDRESS));
        notifyAck = handle(rados, "rados_notify_ack", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG,
                JAVA_LONG, ADDRESS, JAVA_INT));
        bufferFree = handle(rados, "rados_buffer_free", FunctionDescriptor.ofVoid(ADDRESS));
        lockExclusive = handle(rados, "rados_lock_exclusive", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_BYTE));
        unlock = handle(rados, "rados_unlock", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        breakLock = handle(rados, "rados_break_lock", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS));
        listLockers = handle(rados, "rados_list_lockers", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    }

    /** A stub librados can call back into, living as long as the process. */
    MemorySegment upcall(MethodHandle target, FunctionDescriptor fd) {
        return NativeCalls.upcall(target, fd);
    }

    private static final class Holder {
        static final Librados INSTANCE;
        static final String FAILURE;

        static {
            Librados lib = null;
            String failure = null;
            try {
                lib = new Librados(SymbolLookup.libraryLookup("librados.so.2", Arena.global()));
            } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
                failure = "librados.so.2 cannot be loaded (apt-get install librados2): " + e.getMessage();
            }
            INSTANCE = lib;
            FAILURE = failure;
        }
    }

    /**
     * The bindings, loading librados on first use.
     *
     * @throws IOException when librados is not installed (or lacks a function)
     */
    static Librados get() throws IOException {
        if (Holder.INSTANCE == null) {
            throw new IOException(Holder.FAILURE);
        }
        return Holder.INSTANCE;
    }
}
