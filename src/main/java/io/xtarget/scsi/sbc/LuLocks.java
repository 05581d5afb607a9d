package io.xtarget.scsi.sbc;

import io.xtarget.scsi.LogicalUnit;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One {@link LbaLocks} per logical unit, shared by every LUN, port and nexus the LU is reached
 * through. Weak keys: a deleted LU takes its locks with it. LogicalUnit does not override
 * equals, so keys compare by identity.
 */
final class LuLocks {
    private final Map<LogicalUnit, LbaLocks> byUnit = Collections.synchronizedMap(new WeakHashMap<>());

    LbaLocks of(LogicalUnit lu) {
        return byUnit.computeIfAbsent(lu, k -> new LbaLocks());
    }
}
