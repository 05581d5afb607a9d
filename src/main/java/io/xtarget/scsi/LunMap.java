package io.xtarget.scsi;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** An immutable LUN map: LUN number to mapping, in ascending LUN order. */
public final class LunMap {
    public static final LunMap EMPTY = new LunMap(Map.of());

    private final Map<Integer, LunMapping> byLun;

    public LunMap(Map<Integer, LunMapping> byLun) {
        this.byLun = Collections.unmodifiableMap(new TreeMap<>(byLun));
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

    /** The mapping for a LUN, or null. */
    public LunMapping get(int lun) {
        return byLun.get(lun);
    }

    public Collection<LunMapping> mappings() {
        return byLun.values();
    }

    /** Same LUN numbers, same logical units (by identity), same read-only flags. */
    public boolean sameMappings(LunMap other) {
        return other != null && byLun.equals(other.byLun);
    }

    public boolean isEmpty() {
        return byLun.isEmpty();
    }
}
