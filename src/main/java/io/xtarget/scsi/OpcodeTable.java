package io.xtarget.scsi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one table that maps an opcode (and service action) to its descriptor. Dispatch and REPORT
 * SUPPORTED OPERATION CODES both read it.
 */
public final class OpcodeTable {
    private final Map<Integer, CommandDescriptor> byKey;
    private final List<CommandDescriptor> all;
    private final java.util.SortedMap<Integer, VpdPage> vpdPages;
    /** The same rows by opcode, for the lookups every command makes (no boxing, no hashing). */
    private final CommandDescriptor[] byOpcode = new CommandDescriptor[256];
    private final boolean[] splitBySa = new boolean[256];

    private OpcodeTable(Map<Integer, CommandDescriptor> byKey, Set<Integer> withSa, Map<Integer, VpdPage> vpd) {
        this.vpdPages = Collections.unmodifiableSortedMap(new java.util.TreeMap<>(vpd));
        this.byKey = Map.copyOf(byKey);
        for (CommandDescriptor d : byKey.values()) {
            if (!d.hasServiceAction()) {
                byOpcode[d.opcode() & 0xFF] = d;
            }
        }
        for (int op : withSa) {
            splitBySa[op & 0xFF] = true;
        }
        List<CommandDescriptor> list = new ArrayList<>(byKey.values());
        list.sort(Comparator.comparingInt(CommandDescriptor::opcode).thenComparingInt(CommandDescriptor::serviceAction));
        this.all = Collections.unmodifiableList(list);
    }

    private static int key(int opcode, int sa) {
        return (opcode << 16) | (sa & 0xFFFF);
    }

    /** Whether this opcode is split by service action. */
    public boolean hasServiceActions(int opcode) {
        return (opcode & ~0xFF) == 0 && splitBySa[opcode];
    }

    /** The descriptor for an opcode without service actions, or null. */
    public CommandDescriptor get(int opcode) {
        return (opcode & ~0xFF) == 0 ? byOpcode[opcode] : null;
    }

    /** The descriptor for an opcode and service action, or null. */
    public CommandDescriptor get(int opcode, int serviceAction) {
        return byKey.get(key(opcode, serviceAction));
    }

    /** Every descriptor, sorted by opcode and service action. */
    public List<CommandDescriptor> all() {
        return all;
    }

    /** The VPD page with this code, or null. */
    public VpdPage vpdPage(int code) {
        return vpdPages.get(code);
    }

    /** Codes of every registered VPD page, ascending (VPD 0x00 lists these). */
    public java.util.SortedSet<Integer> vpdCodes() {
        return new java.util.TreeSet<>(vpdPages.keySet());
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<Integer, CommandDescriptor> byKey = new HashMap<>();
        private final Set<Integer> withSa = new HashSet<>();
        private final Map<Integer, VpdPage> vpd = new HashMap<>();

        public Builder addVpdPage(int code, VpdPage page) {
            if (vpd.putIfAbsent(code, page) != null) {
                throw new IllegalStateException("duplicate VPD page 0x" + Integer.toHexString(code));
            }
            return this;
        }

        public Builder add(CommandDescriptor d) {
            if (d.hasServiceAction()) {
                if (byKey.containsKey(key(d.opcode(), 0xFFFF))) {
                    throw new IllegalStateException("opcode " + d.opcode() + " registered with and without service action");
                }
                withSa.add(d.opcode());
            } else if (withSa.contains(d.opcode())) {
                throw new IllegalStateException("opcode " + d.opcode() + " registered with and without service action");
            }
            int k = key(d.opcode(), d.hasServiceAction() ? d.serviceAction() : 0xFFFF);
            if (byKey.putIfAbsent(k, d) != null) {
                throw new IllegalStateException("duplicate command " + d.name());
            }
            return this;
        }

        public Builder addAll(CommandSet set) {
            set.register(this);
            return this;
        }

        public OpcodeTable build() {
            return new OpcodeTable(byKey, withSa, vpd);
        }
    }
}
