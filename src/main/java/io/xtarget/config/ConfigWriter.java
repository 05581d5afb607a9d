package io.xtarget.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xtarget.scsi.CopyAccessPolicy;
import java.util.List;
import java.util.Locale;

/** {@link ServerConfig} to pretty JSON in the documented field order; sizes as "1G" when exact. */
public final class ConfigWriter {
    private ConfigWriter() {}

    public static String toJson(ServerConfig config) {
        ObjectNode root = ConfigParser.JSON.createObjectNode();
        ArrayNode bs = root.putArray("backstores");
        for (BackstoreConfig b : config.backstores()) {
            ObjectNode o = bs.addObject();
            o.put("name", b.name());
            o.put("type", b.type().jsonName());
            if (b.path() != null) {
                o.put("path", b.path());
            }
            if (b.rbd() != null) {
                putIfSet(o, "pool", b.rbd().pool());
                putIfSet(o, "image", b.rbd().image());
                putIfSet(o, "cephConf", b.rbd().cephConf());
                putIfSet(o, "user", b.rbd().user());
            }
            if (b.size() != null) {
                o.put("size", Sizes.format(b.size()));
            }
            o.put("blockSize", b.blockSize());
            if (b.naa() != null) {
                o.put("naa", b.naa());
            }
            if (b.serial() != null) {
                o.put("serial", b.serial());
            }
            if (b.removable()) {
                o.put("removable", true); // omitted when false, the default
            }
            if (b.physicalBlockSize() != null) {
                o.put("physicalBlockSize", b.physicalBlockSize()); // omitted when unset: the block size
            }
            if (b.softThresholdPercent() != null) {
                o.put("softThresholdPercent", b.softThresholdPercent());
            }
            if (b.enableCount() != 0) {
                o.put("enableCount", b.enableCount());
            }
        }
        ArrayNode ts = root.putArray("targets");
        for (TargetConfig t : config.targets()) {
            ObjectNode o = ts.addObject();
            o.put("name", t.name());
            ArrayNode ps = o.putArray("portals");
            t.portals().forEach(ps::add);
            o.put("copyPolicy", policyName(t.copyPolicy()));
            luns(o.putArray("luns"), t.luns());
            chap(o, "chap", t.chap());
            if (!t.acls().isEmpty()) {
                ArrayNode as = o.putArray("acls");
                for (AclConfig a : t.acls()) {
                    ObjectNode ao = as.addObject();
                    ao.put("initiator", a.initiator());
                    if (a.luns() != null) {
                        luns(ao.putArray("luns"), a.luns());
                    }
                    chap(ao, "chap", a.chap());
                    if (a.resets() != null) {
                        ao.put("resets", a.resets()); // omitted under the default rule
                    }
                }
            }
        }
        if (!config.vhost().isEmpty()) {
            ArrayNode vs = root.putArray("vhost");
            for (VhostConfig v : config.vhost()) {
                ObjectNode o = vs.addObject();
                o.put("socket", v.socket());
                luns(o.putArray("luns"), v.luns());
                if (v.mode() != null) {
                    o.put("mode", v.mode());
                }
                if (v.group() != null) {
                    o.put("group", v.group());
                }
                if (v.copyPolicy() != null) {
                    o.put("copyPolicy", policyName(v.copyPolicy()));
                }
                if (v.initiator() != null) {
                    o.put("initiator", v.initiator());
                }
            }
        }
        chap(root, "discoveryAuth", config.discoveryAuth());
        limits(root, config.limits());
        if (config.gateway() != null) {
            ObjectNode g = root.putObject("gateway");
            g.put("group", config.gateway().group());
            if (config.gateway().firstRelativePort() != 1) {
                g.put("firstRelativePort", config.gateway().firstRelativePort());
            }
            ArrayNode ps = g.putArray("peers");
            for (GatewayConfig.Peer peer : config.gateway().peers()) {
                ObjectNode po = ps.addObject();
                po.put("group", peer.group());
                ArrayNode rs = po.putArray("relativePorts");
                peer.relativePorts().forEach(rs::add);
            }
        }
        try {
            return ConfigParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of plain nodes always serialises
        }
    }

    private static void putIfSet(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }

    /** Only when the config has a "limits" object, and only the fields it sets. */
    private static void limits(ObjectNode root, LimitsConfig l) {
        if (l == null) {
            return;
        }
        ObjectNode o = root.putObject("limits");
        for (String f : LimitsConfig.FIELDS) {
            switch (l.get(f)) {
                case null -> { }
                case Long bytes -> o.put(f, Sizes.format(bytes));
                case Integer n -> o.put(f, n);
                default -> throw new IllegalStateException(f);
            }
        }
    }

    private static void chap(ObjectNode parent, String field, ChapConfig c) {
        if (c == null) {
            return;
        }
        ObjectNode o = parent.putObject(field);
        o.put("user", c.user());
        o.put("secret", c.secret());
        if (c.mutualUser() != null) {
            o.put("mutualUser", c.mutualUser());
        }
        if (c.mutualSecret() != null) {
            o.put("mutualSecret", c.mutualSecret());
        }
    }

    private static void luns(ArrayNode arr, List<LunConfig> luns) {
        for (LunConfig l : luns) {
            ObjectNode o = arr.addObject();
            o.put("lun", l.lun());
            o.put("backstore", l.backstore());
            if (l.readOnly()) {
                o.put("readOnly", true);
            }
        }
    }

    static String policyName(CopyAccessPolicy p) {
        return p.name().toLowerCase(Locale.ROOT);
    }
}
