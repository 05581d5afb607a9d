package io.xtarget.config;

import java.util.List;

/**
 * The whole configuration: backstores, the iSCSI targets exporting them, the fabric's resource
 * limits ({@code null} when the file has no {@code "limits"} object: every limit at its default),
 * the CHAP secrets discovery sessions must log in with ({@code discoveryAuth}, {@code null}:
 * discovery is not authenticated), and the vhost-user-scsi controllers ({@code vhost}, empty when
 * the file has none). Immutable.
 */
public record ServerConfig(List<BackstoreConfig> backstores, List<TargetConfig> targets, LimitsConfig limits,
        ChapConfig discoveryAuth, List<VhostConfig> vhost, GatewayConfig gateway) {
    public static final ServerConfig EMPTY = new ServerConfig(List.of(), List.of());

    public ServerConfig {
        backstores = List.copyOf(backstores);
        targets = List.copyOf(targets);
        vhost = vhost == null ? List.of() : List.copyOf(vhost);
    }

    /** A config that is no gateway of an ALUA pair ({@code "gateway"} absent). */
    public ServerConfig(List<BackstoreConfig> backstores, List<TargetConfig> targets, LimitsConfig limits,
            ChapConfig discoveryAuth, List<VhostConfig> vhost) {
        this(backstores, targets, limits, discoveryAuth, vhost, null);
    }

    /** The same config with this gateway object ({@code null}: none). */
    public ServerConfig withGateway(GatewayConfig g) {
        return new ServerConfig(backstores, targets, limits, discoveryAuth, vhost, g);
    }

    /** A config without vhost controllers. */
    public ServerConfig(List<BackstoreConfig> backstores, List<TargetConfig> targets, LimitsConfig limits,
            ChapConfig discoveryAuth) {
        this(backstores, targets, limits, discoveryAuth, List.of());
    }

    /** A config without a {@code "discoveryAuth"} object. */
    public ServerConfig(List<BackstoreConfig> backstores, List<TargetConfig> targets, LimitsConfig limits) {
        this(backstores, targets, limits, null);
    }

    /** A config without a {@code "limits"} object. */
    public ServerConfig(List<BackstoreConfig> backstores, List<TargetConfig> targets) {
        this(backstores, targets, null);
    }

    /** The backstore with this name, or null. */
    public BackstoreConfig backstore(String name) {
        return backstores.stream().filter(b -> b.name().equals(name)).findFirst().orElse(null);
    }

    /** The target with this (already normalized) name, or null. */
    public TargetConfig target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    public ServerConfig withBackstores(List<BackstoreConfig> b) {
        return new ServerConfig(b, targets, limits, discoveryAuth, vhost, gateway);
    }

    public ServerConfig withTargets(List<TargetConfig> t) {
        return new ServerConfig(backstores, t, limits, discoveryAuth, vhost, gateway);
    }

    /** The config with {@code b} in place of the backstore of that name, or appended when there is none. */
    public ServerConfig withBackstore(BackstoreConfig b) {
        return withBackstores(Named.put(backstores, b, BackstoreConfig::name));
    }

    /** The config with {@code t} in place of the target of that name, or appended when there is none. */
    public ServerConfig withTarget(TargetConfig t) {
        return withTargets(Named.put(targets, t, TargetConfig::name));
    }

    /** The same config with these limits ({@code null}: no {@code "limits"} object). */
    public ServerConfig withLimits(LimitsConfig l) {
        return new ServerConfig(backstores, targets, l, discoveryAuth, vhost, gateway);
    }

    /** The same config with these discovery secrets ({@code null}: discovery not authenticated). */
    public ServerConfig withDiscoveryAuth(ChapConfig chap) {
        return new ServerConfig(backstores, targets, limits, chap, vhost, gateway);
    }

    /** The same config with these vhost controllers. */
    public ServerConfig withVhost(List<VhostConfig> v) {
        return new ServerConfig(backstores, targets, limits, discoveryAuth, v, gateway);
    }

    /** The config with {@code v} in place of the controller on its socket, or appended when there is none. */
    public ServerConfig withVhostController(VhostConfig v) {
        return withVhost(Named.put(vhost, v, VhostConfig::socket));
    }

    /** The vhost controller on this socket path, or null. */
    public VhostConfig vhostController(String socket) {
        return vhost.stream().filter(v -> v.socket().equals(socket)).findFirst().orElse(null);
    }

    /** The limits, {@link LimitsConfig#NONE} when the config has none. */
    public LimitsConfig limitsOrNone() {
        return limits == null ? LimitsConfig.NONE : limits;
    }

    /**
     * Every target listening on {@code portal} only (the {@code --listen HOST:PORT} override);
     * port 0 asks for an ephemeral port.
     */
    public ServerConfig withListen(String portal) {
        String p = Portals.normalize(portal, "--listen");
        return withTargets(targets.stream().map(t -> t.withPortals(List.of(p))).toList());
    }
}
