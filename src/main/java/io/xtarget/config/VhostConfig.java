package io.xtarget.config;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One vhost-user-scsi controller (config {@code "vhost"}): a Unix socket QEMU connects to, the LUNs
 * its guest sees (one target, target 0), and who may connect: the socket file's owner (the user
 * xtarget runs as), {@code mode} and {@code group}.
 *
 * @param socket absolute path of the socket file; at most 107 bytes (sun_path)
 * @param luns the guest's LUN map
 * @param mode the socket file's permission bits in octal ("0600", "0660"), or null for 0600
 * @param group the socket file's group (e.g. the group QEMU runs in), or null for the server's
 * @param copyPolicy which LUs an EXTENDED COPY or token copy received through the controller may
 *     reach, or null for the default ({@code initiator}, as for iSCSI targets)
 * @param initiator under copy policy {@code initiator}, the iSCSI initiator name whose LUN maps on
 *     the iSCSI targets (ACLs, or demo LUN maps) the guest's copies may also use, targets that
 *     demand CHAP of that name excepted; null: the guest's copies reach only the controller's LUNs
 */
public record VhostConfig(String socket, List<LunConfig> luns, String mode, String group,
        io.xtarget.scsi.CopyAccessPolicy copyPolicy, String initiator) {
    public static final String DEFAULT_MODE = "0600";

    public VhostConfig {
        luns = List.copyOf(luns);
    }

    /** A controller with the default access: mode 0600, the server's group. */
    public VhostConfig(String socket, List<LunConfig> luns) {
        this(socket, luns, null, null);
    }

    /** A controller whose copies reach only its own LUNs. */
    public VhostConfig(String socket, List<LunConfig> luns, String mode, String group) {
        this(socket, luns, mode, group, null, null);
    }

    public VhostConfig withLuns(List<LunConfig> l) {
        return new VhostConfig(socket, l, mode, group, copyPolicy, initiator);
    }

    /** The mode in effect: {@code mode}, or 0600. */
    public String effectiveMode() {
        return mode == null ? DEFAULT_MODE : mode;
    }

    /** Whether {@code mode} is an octal mode of read and write bits only (within 0666). */
    static boolean isValidMode(String mode) {
        if (mode == null || !mode.matches("0?[0-7]{3}")) {
            return false;
        }
        return (Integer.parseInt(mode, 8) & ~0666) == 0;
    }

    /** The socket file's permissions. */
    public Set<PosixFilePermission> permissions() {
        int bits = Integer.parseInt(effectiveMode(), 8);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < order.length; i++) {
            if ((bits & (1 << i)) != 0) {
                out.add(order[i]);
            }
        }
        return out;
    }
}
