package io.xtarget.iscsi;

import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.Target;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an iSCSI login is admitted to: the core's targets together with each target's CHAP
 * secrets (iSCSI's own; the core knows none), read and replaced as one, so a config reload never
 * pairs one config's ACL with another's secrets. Also the copy reachability rule of iSCSI nexuses,
 * which rests on the same secrets.
 */
final class IscsiAdmissions {
    private final ScsiCore core;
    /** Each target's CHAP secrets by lower-cased target name; a target not in it needs none. */
    private volatile Map<String, IscsiTargetSecurity> security;

    IscsiAdmissions(ScsiCore core, Map<String, IscsiTargetSecurity> security) {
        this.core = core;
        this.security = byLowerCaseName(security);
    }

    private static Map<String, IscsiTargetSecurity> byLowerCaseName(Map<String, IscsiTargetSecurity> security) {
        Map<String, IscsiTargetSecurity> m = new HashMap<>();
        security.forEach((name, s) -> m.put(name.toLowerCase(Locale.ROOT), s));
        return Map.copyOf(m);
    }

    /** The CHAP secrets of a target (by name, case-insensitive as {@link ScsiCore#target}). */
    IscsiTargetSecurity security(String targetName) {
        return security.getOrDefault(targetName.toLowerCase(Locale.ROOT), IscsiTargetSecurity.NONE);
    }

    /**
     * What a login to {@code targetName} by {@code initiatorName} gets, read together so a reload
     * never pairs one config's LUN map with another's secrets.
     *
     * @param target the target
     * @param lunMap the initiator's LUN map, or null when the target does not admit it
     * @param chap the secrets the initiator must prove, or null for none
     */
    record Admission(Target target, LunMap lunMap, ChapCredentials chap) {}

    /** The admission of this initiator to this target, or null when the core has no such target. */
    synchronized Admission admission(String targetName, String initiatorName) {
        Target t = core.target(targetName);
        return t == null ? null : new Admission(t, t.lunMapFor(initiatorName), security(t.name()).chapFor(initiatorName));
    }

    /** Replaces the core's targets and their secrets together (a config reload). */
    synchronized void replace(List<Target> targets, Map<String, IscsiTargetSecurity> secrets) {
        Map<String, IscsiTargetSecurity> s = byLowerCaseName(secrets);
        core.replaceTargets(targets);
        this.security = s;
    }

    /**
     * The copy reachability rule of every iSCSI nexus ({@link io.xtarget.scsi.CopyReachability}):
     * an initiator name is only a claim, CHAP is what makes it an identity, so a target that
     * demands CHAP secrets of this initiator is reachable by copy only when the receiving target
     * demands the same ones (the session proved them at login). A target without secrets is
     * reachable as its ACL grants.
     */
    boolean copyReaches(Nexus nexus, Target other) {
        String initiator = nexus.initiatorName();
        ChapCredentials required = security(other.name()).chapFor(initiator);
        if (required == null) {
            return true;
        }
        Target receiving = nexus.port() == null ? null : core.target(nexus.port().targetName());
        ChapCredentials proven = receiving == null ? null : security(receiving.name()).chapFor(initiator);
        return required.equals(proven);
    }
}
