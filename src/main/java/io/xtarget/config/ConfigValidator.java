package io.xtarget.config;

import io.xtarget.backend.rbd.RbdImageSpec;

import io.xtarget.backend.StoreGeometry;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.scsi.ScsiLimits;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@link ServerConfig} as a whole; the first problem found is thrown as a
 * {@link ConfigException} naming the field path. Used after parsing and after every CLI edit,
 * so the same rules hold however the config was made.
 */
public final class ConfigValidator {
    private static final Pattern BACKSTORE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    public static final int MAX_LUN = 16383; // SAM-5 flat space addressing (LunAddress)

    private ConfigValidator() {}

    public static ServerConfig validate(ServerConfig config) {
        checkGateway(config);
        Map<String, String> naaOwners = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < config.backstores().size(); i++) {
            BackstoreConfig b = config.backstores().get(i);
            String p = "backstores[" + i + "]";
            checkBackstore(b, p);
            if (!names.add(b.name())) {
                throw new ConfigException(p + ".name", "duplicate backstore name \"" + b.name() + "\"");
            }
            if (b.naa() != null) {
                String other = naaOwners.putIfAbsent(b.naa(), p);
                if (other != null) {
                    throw new ConfigException(p + ".naa", "same NAA as " + other);
                }
                other = naaOwners.putIfAbsent("t10:" + Designators.t10Key(b.naa()), p);
                if (other != null) {
                    throw new ConfigException(p + ".naa", "same last 8 hex digits as the NAA of " + other
                            + ": hosts (VMware ESXi, Hyper-V) tell LUs apart by them (VPD 0x83 T10 vendor ID)");
                }
            }
        }
        Set<String> targetNames = new HashSet<>();
        for (int i = 0; i < config.targets().size(); i++) {
            TargetConfig t = config.targets().get(i);
            String p = "targets[" + i + "]";
            checkTarget(config, t, p);
            if (!targetNames.add(t.name())) {
                throw new ConfigException(p + ".name", "duplicate target \"" + t.name() + "\"");
            }
        }
        checkLimits(config.limits());
        checkChap(config.discoveryAuth(), "discoveryAuth");
        Set<String> sockets = new HashSet<>();
        for (int i = 0; i < config.vhost().size(); i++) {
            VhostConfig v = config.vhost().get(i);
            String p = "vhost[" + i + "]";
            checkVhost(config, v, p);
            if (!sockets.add(v.socket())) {
                throw new ConfigException(p + ".socket", "duplicate vhost socket " + v.socket());
            }
        }
        return config;
    }

    private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");

    /** A vhost-user-scsi controller: an absolute socket path sun_path can hold, read/write mode bits, its LUNs. */
    private static void checkVhost(ServerConfig config, VhostConfig v, String p) {
        VhostPaths.normalize(v.socket(), p + ".socket");
        if (v.mode() != null && !VhostConfig.isValidMode(v.mode())) {
            throw new ConfigException(p + ".mode", "\"" + v.mode()
                    + "\" is not an octal mode of read and write bits (0600, 0660, 0666; execute bits mean nothing on a socket)");
        }
        if (v.group() != null && !GROUP_NAME.matcher(v.group()).matches()) {
            throw new ConfigException(p + ".group", "\"" + v.group() + "\" is not a group name");
        }
        if (v.initiator() != null && !IscsiNames.isValid(v.initiator())) {
            throw new ConfigException(p + ".initiator", "\"" + v.initiator() + "\" is not an iSCSI name (iqn., eui. or naa.)");
        }
        checkLuns(config, v.luns(), p + ".luns");
    }

    /**
     * The "limits" object. A session must be able to hold the largest command
     * ({@link ScsiLimits#MAX_TRANSFER_BYTES}) while other writes of it hold the first burst they
     * sent unasked, or that command would wait for ever; the server bound must hold one session's.
     */
    private static void checkLimits(LimitsConfig l) {
        if (l == null) {
            return;
        }
        IscsiServer.Options o = l.applyTo(IscsiServer.Options.defaults());
        if (l.sessionBuffer() != null && l.sessionBuffer() < LimitsConfig.MIN_SESSION_BUFFER) {
            throw new ConfigException("limits.sessionBuffer", Sizes.format(l.sessionBuffer())
                    + " is too small: must be at least " + Sizes.format(LimitsConfig.MIN_SESSION_BUFFER)
                    + ", room for the largest command (" + Sizes.format(ScsiLimits.MAX_TRANSFER_BYTES)
                    + ") plus the first bursts (up to 256K each) that writes queued behind it hold");
        }
        if (o.serverDataBytes() < o.sessionDataBytes()) {
            if (l.serverBuffer() != null) {
                throw new ConfigException("limits.serverBuffer", Sizes.format(o.serverDataBytes())
                        + " is less than sessionBuffer (" + Sizes.format(o.sessionDataBytes())
                        + (l.sessionBuffer() == null ? ", the default" : "") + ")");
            }
            throw new ConfigException("limits.sessionBuffer", Sizes.format(o.sessionDataBytes())
                    + " is more than serverBuffer (" + Sizes.format(o.serverDataBytes())
                    + ", the default); raise serverBuffer too");
        }
        checkRange(l.sendTimeoutSeconds(), "sendTimeoutSeconds", 1, LimitsConfig.MAX_TIMEOUT_SECONDS, " seconds");
        checkRange(l.nopIntervalSeconds(), "nopIntervalSeconds", 1, LimitsConfig.MAX_TIMEOUT_SECONDS, " seconds");
        checkRange(l.nopTimeoutSeconds(), "nopTimeoutSeconds", 1, LimitsConfig.MAX_TIMEOUT_SECONDS, " seconds");
        checkRange(l.loginTimeoutSeconds(), "loginTimeoutSeconds", 1, LimitsConfig.MAX_TIMEOUT_SECONDS, " seconds");
        checkRange(l.workerThreads(), "workerThreads", 1, LimitsConfig.MAX_WORKER_THREADS, "");
        checkRange(l.loginBackoffMillis(), "loginBackoffMillis", 0, LimitsConfig.MAX_LOGIN_BACKOFF_MILLIS, " ms");
        checkRange(l.loginBackoffMaxMillis(), "loginBackoffMaxMillis", 1, LimitsConfig.MAX_LOGIN_BACKOFF_MILLIS,
                " ms");
        if (o.loginBackoffMaxMillis() < o.loginBackoffMillis()) {
            throw l.loginBackoffMaxMillis() != null
                    ? new ConfigException("limits.loginBackoffMaxMillis", o.loginBackoffMaxMillis()
                            + " is less than loginBackoffMillis (" + o.loginBackoffMillis()
                            + (l.loginBackoffMillis() == null ? ", the default" : "") + ")")
                    : new ConfigException("limits.loginBackoffMillis", o.loginBackoffMillis()
                            + " is more than loginBackoffMaxMillis (" + o.loginBackoffMaxMillis()
                            + ", the default); raise loginBackoffMaxMillis too");
        }
    }

    private static void checkRange(Integer value, String field, int min, int max, String unit) {
        if (value != null && (value < min || value > max)) {
            throw new ConfigException("limits." + field, value + " is out of range " + min + ".." + max + unit);
        }
    }

    /** SBC-3 5.16.2: a physical block holds 2^n logical blocks (LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT). */
    private static void checkPhysicalBlockSize(BackstoreConfig b, String p) {
        Integer pbs = b.physicalBlockSize();
        if (pbs == null) {
            return;
        }
        if (pbs < b.blockSize() || pbs % b.blockSize() != 0 || Integer.bitCount(pbs / b.blockSize()) != 1
                || pbs > BackstoreConfig.MAX_PHYSICAL_BLOCK_SIZE) {
            throw new ConfigException(p + ".physicalBlockSize", pbs + " is not the block size " + b.blockSize()
                    + " times a power of two, at most " + BackstoreConfig.MAX_PHYSICAL_BLOCK_SIZE
                    + " (e.g. 4096 on 512-byte blocks)");
        }
    }

    private static void checkBackstore(BackstoreConfig b, String p) {
        if (b.name() == null || !BACKSTORE_NAME.matcher(b.name()).matches()) {
            throw new ConfigException(p + ".name", "\"" + b.name()
                    + "\" is not a backstore name (1 to 64 letters, digits, '_', '.', ':', '-')");
        }
        if (b.type() == null) {
            throw new ConfigException(p + ".type", "missing");
        }
        if (!StoreGeometry.isValidBlockSize(b.blockSize())) {
            throw new ConfigException(p + ".blockSize", "must be 512 or 4096, not " + b.blockSize());
        }
        checkPhysicalBlockSize(b, p);
        String type = b.type().jsonName();
        switch (b.type()) {
            case RAM, NULL -> {
                if (b.path() != null) {
                    throw new ConfigException(p + ".path", "not allowed for type " + type);
                }
                if (b.size() == null) {
                    throw new ConfigException(p + ".size", "required for type " + type);
                }
            }
            case FILE, BLOCK -> {
                if (b.path() == null || b.path().isBlank()) {
                    throw new ConfigException(p + ".path", "required for type " + type);
                }
                if (b.type() == BackstoreType.BLOCK && b.size() != null) {
                    throw new ConfigException(p + ".size", "not allowed for type block (the device's size is used)");
                }
            }
            case RBD -> checkRbd(b, p);
        }
        if (b.type() != BackstoreType.RBD && b.rbd() != null) {
            throw new ConfigException(p + "." + (b.rbd().pool() != null ? "pool" : b.rbd().image() != null ? "image"
                    : b.rbd().cephConf() != null ? "cephConf" : "user"), "only for type rbd, not " + type);
        }
        if (b.size() != null && (b.size() <= 0 || b.size() % b.blockSize() != 0)) {
            throw new ConfigException(p + ".size",
                    b.size() + " is not a positive multiple of the block size " + b.blockSize());
        }
        if (b.naa() != null && !Designators.isValidNaa(b.naa())) {
            throw new ConfigException(p + ".naa", "\"" + b.naa() + "\" is not 32 hex digits of an NAA type 6 designator");
        }
        if (b.serial() != null && !Designators.isValidSerial(b.serial())) {
            throw new ConfigException(p + ".serial", "must be 1 to 64 printable ASCII characters without spaces");
        }
        if (b.softThresholdPercent() != null) {
            if (b.type() != BackstoreType.FILE) {
                throw new ConfigException(p + ".softThresholdPercent",
                        "only for type file (a threshold on the image's file system), not " + type);
            }
            if (b.softThresholdPercent() < 1 || b.softThresholdPercent() > 99) {
                throw new ConfigException(p + ".softThresholdPercent",
                        "must be 1 to 99 (percent of the file system in use), not " + b.softThresholdPercent());
            }
        }
        if (b.enableCount() < 0) {
            throw new ConfigException(p + ".enableCount", "must not be negative");
        }
    }

    /** An rbd backstore: pool and image required, no path; names as Ceph allows them. */
    private static void checkRbd(BackstoreConfig b, String p) {
        if (b.path() != null) {
            throw new ConfigException(p + ".path", "not allowed for type rbd (pool and image name the image)");
        }
        if (b.rbd() == null || b.rbd().pool() == null) {
            throw new ConfigException(p + ".pool", "required for type rbd");
        }
        if (b.rbd().image() == null) {
            throw new ConfigException(p + ".image", "required for type rbd");
        }
        String problem = RbdImageSpec.problem(b.rbd().pool());
        if (problem != null) {
            throw new ConfigException(p + ".pool", problem);
        }
        if ((problem = RbdImageSpec.problem(b.rbd().image())) != null) {
            throw new ConfigException(p + ".image", problem);
        }
        if (b.rbd().user() != null && (problem = RbdImageSpec.problem(b.rbd().user())) != null) {
            throw new ConfigException(p + ".user", problem);
        }
        if (b.rbd().user() != null && b.rbd().user().startsWith("client.")) {
            throw new ConfigException(p + ".user", "the cephx user without \"client.\", e.g. \"admin\"");
        }
        if (b.rbd().cephConf() != null && b.rbd().cephConf().isBlank()) {
            throw new ConfigException(p + ".cephConf", "must not be empty");
        }
    }

    private static void checkTarget(ServerConfig config, TargetConfig t, String p) {
        if (t.name() == null || !IscsiNames.isValid(t.name())) {
            throw new ConfigException(p + ".name", IscsiNames.problem(t.name()));
        }
        Set<String> portals = new HashSet<>();
        for (int j = 0; j < t.portals().size(); j++) {
            String pp = p + ".portals[" + j + "]";
            String normalized = Portals.normalize(t.portals().get(j), pp);
            if (!portals.add(normalized)) {
                throw new ConfigException(pp, "duplicate portal " + normalized);
            }
        }
        if (t.copyPolicy() == null) {
            throw new ConfigException(p + ".copyPolicy", "missing");
        }
        checkLuns(config, t.luns(), p + ".luns");
        checkChap(t.chap(), p + ".chap");
        Set<String> initiators = new HashSet<>();
        for (int j = 0; j < t.acls().size(); j++) {
            AclConfig a = t.acls().get(j);
            String ap = p + ".acls[" + j + "]";
            if (a.initiator() == null || !IscsiNames.isValid(a.initiator())) {
                throw new ConfigException(ap + ".initiator", IscsiNames.problem(a.initiator()));
            }
            if (!initiators.add(a.initiator())) {
                throw new ConfigException(ap + ".initiator", "duplicate ACL for \"" + a.initiator() + "\"");
            }
            if (a.luns() != null) {
                checkLuns(config, a.luns(), ap + ".luns");
            }
            checkChap(a.chap(), ap + ".chap");
        }
    }

    /** Longest CHAP user name we accept (it travels as a text value, RFC 7143 6.1). */
    public static final int MAX_CHAP_USER = 255;

    private static void checkChap(ChapConfig c, String p) {
        if (c == null) {
            return;
        }
        checkChapUser(c.user(), p + ".user");
        checkChapSecret(c.secret(), p + ".secret");
        if (c.mutualUser() == null && c.mutualSecret() != null) {
            throw new ConfigException(p + ".mutualUser", "required with mutualSecret");
        }
        if (c.mutualUser() != null && c.mutualSecret() == null) {
            throw new ConfigException(p + ".mutualSecret", "required with mutualUser");
        }
        if (c.mutualUser() != null) {
            checkChapUser(c.mutualUser(), p + ".mutualUser");
            checkChapSecret(c.mutualSecret(), p + ".mutualSecret");
            // One secret for both directions would let an attacker answer the target's challenge
            // with the target's own answer (RFC 7143 9.2.1 asks for distinct secrets).
            if (c.mutualSecret().equals(c.secret())) {
                throw new ConfigException(p + ".mutualSecret", "must differ from secret");
            }
        }
    }

    private static void checkChapUser(String user, String p) {
        if (user == null || user.isEmpty()) {
            throw new ConfigException(p, "must not be empty");
        }
        if (user.length() > MAX_CHAP_USER || !printable(user)) {
            throw new ConfigException(p, "must be 1 to " + MAX_CHAP_USER + " printable characters");
        }
    }

    private static void checkChapSecret(String secret, String p) {
        if (secret == null || secret.length() < ChapConfig.MIN_SECRET || secret.length() > ChapConfig.MAX_SECRET
                || !printable(secret)) {
            // RFC 7143 9.2.1: CHAP secrets of fewer than 96 bits are easy to brute-force
            // from one captured exchange; 16 is the limit of common initiators.
            throw new ConfigException(p, "must be " + ChapConfig.MIN_SECRET + " to " + ChapConfig.MAX_SECRET
                    + " printable characters (RFC 7143 asks for at least 96 bits), got "
                    + (secret == null ? "none" : secret.length() + " characters"));
        }
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static void checkLuns(ServerConfig config, List<LunConfig> luns, String p) {
        Set<Integer> seen = new HashSet<>();
        for (int k = 0; k < luns.size(); k++) {
            LunConfig l = luns.get(k);
            String lp = p + "[" + k + "]";
            if (l.lun() < 0 || l.lun() > MAX_LUN) {
                throw new ConfigException(lp + ".lun", l.lun() + " is out of range 0.." + MAX_LUN);
            }
            if (!seen.add(l.lun())) {
                throw new ConfigException(lp + ".lun", "LUN " + l.lun() + " is mapped twice");
            }
            if (l.backstore() == null || config.backstore(l.backstore()) == null) {
                throw new ConfigException(lp + ".backstore", "no backstore named \"" + l.backstore() + "\"");
            }
        }
    }

    /** The "gateway" object: groups and relative ports in range, none shared with a peer. */
    private static void checkGateway(ServerConfig config) {
        GatewayConfig g = config.gateway();
        if (g == null) {
            return;
        }
        if (g.group() < 1 || g.group() > 65535) {
            throw new ConfigException("gateway.group", "must be 1..65535");
        }
        int ports = RuntimeBuilder.portCount(config);
        if (g.firstRelativePort() < 1 || g.firstRelativePort() + Math.max(ports, 1) - 1 > 65535) {
            throw new ConfigException("gateway.firstRelativePort", "the server's ports must fit in 1..65535");
        }
        if (g.peers().isEmpty()) {
            throw new ConfigException("gateway.peers", "names no peer gateway");
        }
        Set<Integer> groups = new HashSet<>(Set.of(g.group()));
        Set<Integer> relative = new HashSet<>();
        for (int i = 0; i < ports; i++) {
            relative.add(g.firstRelativePort() + i);
        }
        for (int i = 0; i < g.peers().size(); i++) {
            GatewayConfig.Peer peer = g.peers().get(i);
            String p = "gateway.peers[" + i + "]";
            if (peer.group() < 1 || peer.group() > 65535 || !groups.add(peer.group())) {
                throw new ConfigException(p + ".group", "must be 1..65535 and differ from this gateway's and the other peers' groups");
            }
            if (peer.relativePorts().isEmpty()) {
                throw new ConfigException(p + ".relativePorts", "names no port");
            }
            for (int rel : peer.relativePorts()) {
                if (rel < 1 || rel > 65535 || !relative.add(rel)) {
                    throw new ConfigException(p + ".relativePorts", rel
                            + ": must be 1..65535 and differ from this gateway's ports (from firstRelativePort) and the other peers'");
                }
            }
        }
    }
}
