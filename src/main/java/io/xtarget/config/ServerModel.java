package io.xtarget.config;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiCore;
import java.io.IOException;
import java.util.List;

/**
 * The runtime built from a config: the SCSI core with its targets, and every logical unit.
 * Closing it closes every store (and stops following shared reservations).
 */
public record ServerModel(ScsiCore core, List<LogicalUnit> units) implements AutoCloseable {
    public ServerModel {
        units = List.copyOf(units);
    }

    /** The logical unit of the named backstore, or null. */
    public LogicalUnit unit(String backstoreName) {
        return units.stream().filter(u -> u.name().equals(backstoreName)).findFirst().orElse(null);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (LogicalUnit u : units) {
            try {
                u.reservations().close();
                u.store().close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
