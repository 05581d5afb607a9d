package io.xtarget.scsi.copy;

import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.copy.ParameterList.IdentificationCscd;
import java.util.ArrayList;
import java.util.List;

/**
 * The logical units one EXTENDED COPY may name as copy source or destination, and the lookup of
 * a CSCD descriptor among them.
 *
 * <p>Resolution only ever searches LUN maps the requesting initiator has been granted, so a
 * designator of an LU it cannot access resolves to nothing, exactly like an unknown designator.
 * This makes the LIO flaw CVE-2020-28374 (copying to any backstore by WWN) impossible by
 * construction: there is no global LU registry to search. An LU the initiator reaches only through
 * a read-only mapping is reachable, but not writable: as a destination it gets WRITE PROTECTED,
 * as a WRITE through that mapping would.
 */
final class CopyTargets {
    private final List<LunMapping> accessible;
    private final LunMapping self;

    private CopyTargets(List<LunMapping> accessible, LunMapping self) {
        this.accessible = accessible;
        this.self = self;
    }

    /**
     * The mappings reachable for this task: with policy PORT only the receiving target's LUN map
     * of this nexus; with INITIATOR (the default) also every other target's LUN map for this
     * initiator name (a registered port's: the name configured for it, if any) that the nexus's {@link io.xtarget.scsi.CopyReachability} admits. An initiator
     * name is only a claim; the fabric's rule says whether what this nexus proved at login makes
     * it an identity on that target too (the iSCSI fabric: the same CHAP secrets).
     */
    static CopyTargets of(ScsiTask task) {
        List<LunMapping> all = new ArrayList<>(task.lunMap().mappings());
        if (policy(task) == CopyAccessPolicy.INITIATOR) {
            Nexus nexus = task.nexus();
            String name = initiatorName(task);
            for (Target t : name == null ? List.<Target>of() : task.core().targets()) {
                LunMap map = t.lunMapFor(name);
                if (map != null && nexus.copyReachability().reaches(nexus, t)) {
                    all.addAll(map.mappings());
                }
            }
        }
        return new CopyTargets(List.copyOf(all), task.mapping());
    }

    /**
     * The initiator name whose LUN maps on the core's targets copies may use: the nexus's own, or
     * for a port a fabric registered ({@link io.xtarget.scsi.FabricPort}) the name configured for
     * it, or null for none.
     */
    private static String initiatorName(ScsiTask task) {
        io.xtarget.scsi.FabricPort f = task.core().fabricPort(task.nexus().port());
        return f != null ? f.copyInitiatorName() : task.nexus().initiatorName();
    }

    /**
     * The receiving port's policy: its target's, or a registered port's; a port the core does not
     * know gets the narrow one.
     */
    static CopyAccessPolicy policy(ScsiTask task) {
        Target receiving = task.core().target(task.nexus().port().targetName());
        if (receiving == null) {
            io.xtarget.scsi.FabricPort f = task.core().fabricPort(task.nexus().port());
            return f == null ? CopyAccessPolicy.PORT : f.effectiveCopyPolicy();
        }
        return receiving.copyPolicy() == null ? CopyAccessPolicy.INITIATOR : receiving.copyPolicy();
    }

    /**
     * Finds the mapping through which the initiator reaches the LU a CSCD descriptor ID names, or
     * null when it cannot reach that LU at all. For a destination a writable mapping of the LU wins
     * over a read-only one; a read-only mapping is returned only when it is the initiator's only
     * way to the LU (the caller then answers WRITE PROTECTED, as a WRITE through it would get).
     */
    LunMapping resolve(int cscdId, List<IdentificationCscd> cscds, boolean destination) {
        if (cscdId == CopyLimits.CSCD_ID_SELF) {
            return self;
        }
        if (cscdId >= cscds.size()) {
            return null;
        }
        IdentificationCscd d = cscds.get(cscdId);
        LunMapping readOnly = null;
        for (LunMapping m : accessible) {
            if (matches(d, m.unit())) {
                if (!destination || !m.readOnly()) {
                    return m;
                }
                if (readOnly == null) {
                    readOnly = m;
                }
            }
        }
        return readOnly;
    }

    /**
     * A mapping through which the initiator reaches {@code lu} (a ROD token's source, which
     * WRITE USING TOKEN reads exactly as EXTENDED COPY reads a source CSCD), or null when it
     * cannot reach it. Any mapping will do: reading through a read-only one is allowed.
     */
    LunMapping reach(LogicalUnit lu) {
        for (LunMapping m : accessible) {
            if (m.unit() == lu) {
                return m;
            }
        }
        return null;
    }

    /**
     * Whether a CSCD designator names this LU (SPC-4 6.4.5.6, 7.8.6): ASSOCIATION "logical unit"
     * and one of the LU's VPD 0x83 designators (NAA, EUI-64; the T10 vendor ID one exceeds a
     * CSCD's 20 bytes) with the same CODE SET, DESIGNATOR TYPE, DESIGNATOR LENGTH and bytes
     * ({@link io.xtarget.scsi.Designator#matches}). Anything else names no LU: COPY TARGET DEVICE
     * NOT REACHABLE, nothing copied.
     */
    static boolean matches(IdentificationCscd d, LogicalUnit lu) {
        if (d.association() != ASSOCIATION_LOGICAL_UNIT) {
            return false;
        }
        for (io.xtarget.scsi.Designator own : lu.designators()) {
            if (own.matches(d.codeSet(), d.designatorType(), d.designator())) {
                return true;
            }
        }
        return false;
    }

    /** ASSOCIATION 00b: the designator names the addressed logical unit (SPC-4 7.8.6.1). */
    private static final int ASSOCIATION_LOGICAL_UNIT = 0;
}
