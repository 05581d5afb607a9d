package io.xtarget.backend.rbd;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Downcalls into and upcall stubs for Ceph's C libraries through the JDK's FFM linker, shared by
 * the librados and librbd bindings ({@link Librados}, {@link Librbd}, {@link RadosNotifyChannel}).
 */
final class NativeCalls {
    private static final Linker LINKER = Linker.nativeLinker();

    private NativeCalls() {}

    /** A downcall handle on {@code name} of {@code lib}; UnsatisfiedLinkError when it lacks it. */
    static MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no symbol " + name));
        return LINKER.downcallHandle(symbol, fd);
    }

    /** A stub the library can call back into, living as long as the process. */
    static MemorySegment upcall(MethodHandle target, FunctionDescriptor fd) {
        return LINKER.upcallStub(target, fd, Arena.global());
    }
}
