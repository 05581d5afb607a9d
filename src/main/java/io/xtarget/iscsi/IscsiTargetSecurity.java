package io.xtarget.iscsi;

import java.util.Map;

/**
 * The CHAP secrets of one target (from its config and its ACL entries): what each initiator must
 * prove at login. The iSCSI fabric keeps them by target name, next to the core's
 * {@link io.xtarget.scsi.Target}, and they also decide which targets a session's copies may reach
 * ({@link IscsiServer}).
 *
 * @param chap CHAP secrets every initiator must log in with, or null for no authentication
 * @param initiatorChap per-initiator CHAP secrets (from ACL entries), overriding {@code chap}
 */
public record IscsiTargetSecurity(ChapCredentials chap, Map<String, ChapCredentials> initiatorChap) {
    /** No authentication for anyone. */
    public static final IscsiTargetSecurity NONE = new IscsiTargetSecurity(null, Map.of());

    public IscsiTargetSecurity {
        initiatorChap = Map.copyOf(initiatorChap);
    }

    /**
     * The CHAP secrets this initiator must log in with (its ACL entry's, else the target's), or
     * null when it logs in without authentication.
     */
    public ChapCredentials chapFor(String initiatorName) {
        ChapCredentials own = initiatorChap.get(initiatorName);
        return own != null ? own : chap;
    }
}
