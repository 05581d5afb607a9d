package io.xtarget.scsi;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one initiator was granted through one target: LUN number to mapping, in ascending LUN
 * order, and whether it may issue the task management functions that reach other initiators
 * (LOGICAL UNIT RESET, SAM-5 7.7; target resets, RFC 7143 11.5.1 TARGET WARM/COLD RESET).
 *
 * <p>Reset rule: an explicit grant ({@link #resets()} non-null) decides alone. Without one, a
 * LOGICAL UNIT RESET is allowed when the LUN is mapped read-write, and a target reset when the
 * map has at least one mapping and none of them is read-only: a host that may only read (or sees
 * nothing) must not abort other hosts' commands, clear their reservations or drop their sessions.
 * Immutable.
 */
public final class LunMap {
    public static final LunMap EMPTY = new LunMap(Map.of());

    private final Map<Integer, LunMapping> byLun;
    private final Boolean resets;

    public LunMap(Map<Integer, LunMapping> byLun) {
        this(byLun, null);
    }

    private LunMap(Map<Integer, LunMapping> byLun, Boolean resets) {
        this.byLun = Collections.unmodifiableMap(new TreeMap<>(byLun));
        this.resets = resets;
    }

    public static LunMap of(Collection<LunMapping> mappings) {
        Map<Integer, LunMapping> m = new TreeMap<>();
        for (LunMapping lm : mappings) {
            if (m.put(lm.lun(), lm) != null) {
                throw new IllegalArgumentException("LUN " + lm.lun() + " mapped twice");
            }
        }
        return new LunMap(m);
    }

    /** The same mappings with an explicit reset grant: true allows, false refuses, null applies the rule. */
    public LunMap withResets(Boolean grant) {
        return new LunMap(byLun, grant);
    }

    /** The explicit reset grant, or null when the rule of the class comment applies. */
    public Boolean resets() {
        return resets;
    }

    /** Whether this map's holder may reset the LU at {@code lun}; false when the LUN is not mapped. */
    public boolean mayResetLogicalUnit(int lun) {
        LunMapping m = byLun.get(lun);
        if (m == null) {
            return false;
        }
        return resets != null ? resets : !m.readOnly();
    }

    /** Whether this map's holder may reset the whole target (every LU of it, every initiator's). */
    public boolean mayResetTarget() {
        if (resets != null) {
            return resets;
        }
        return !byLun.isEmpty() && byLun.values().stream().noneMatch(LunMapping::readOnly);
    }

    /** The mapping for a LUN, or null. */
    public LunMapping get(int lun) {
        return byLun.get(lun);
    }

    public Collection<LunMapping> mappings() {
        return byLun.values();
    }

    /** Same LUN numbers, same logical units (by identity), same read-only flags (the reset grant aside). */
    public boolean sameMappings(LunMap other) {
        return other != null && byLun.equals(other.byLun);
    }

    public boolean isEmpty() {
        return byLun.isEmpty();
    }
}
