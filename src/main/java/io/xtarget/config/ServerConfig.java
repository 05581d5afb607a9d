package io.xtarget.config;

import java.util.List;

/** The whole configuration: backstores and the targets exporting them. Immutable. */
public record ServerConfig(List<BackstoreConfig> backstores, List<TargetConfig> targets) {
    public static final ServerConfig EMPTY = new ServerConfig(List.of(), List.of());

    public ServerConfig {
        backstores = List.copyOf(backstores);
        targets = List.copyOf(targets);
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
        return new ServerConfig(b, targets);
    }

    public ServerConfig withTargets(List<TargetConfig> t) {
        return new ServerConfig(backstores, t);
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
