package io.xtarget.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xtarget.scsi.CopyAccessPolicy;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * JSON text to a validated {@link ServerConfig}. Walks the JSON tree by hand rather than binding
 * it, so every error names its field path and unknown properties are rejected precisely.
 * Names are normalized here (iSCSI names to lower case, portals to "host:port").
 */
public final class ConfigParser {
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> ROOT = Set.of("backstores", "targets", "limits", "discoveryAuth", "vhost", "gateway");
    private static final Set<String> GATEWAY = Set.of("group", "firstRelativePort", "peers");
    private static final Set<String> GATEWAY_PEER = Set.of("group", "relativePorts");
    private static final Set<String> BACKSTORE = Set.of("name", "type", "path", "size", "blockSize", "naa", "serial",
            "removable", "physicalBlockSize", "softThresholdPercent", "enableCount", "pool", "image", "cephConf", "user");
    private static final Set<String> TARGET = Set.of("name", "portals", "copyPolicy", "luns", "acls", "chap");
    private static final Set<String> LUN = Set.of("lun", "backstore", "readOnly");
    private static final Set<String> VHOST = Set.of("socket", "luns", "mode", "group", "copyPolicy", "initiator");
    private static final Set<String> ACL = Set.of("initiator", "luns", "chap", "resets");
    private static final Set<String> CHAP = Set.of("user", "secret", "mutualUser", "mutualSecret");
    private static final Set<String> LIMITS = Set.copyOf(LimitsConfig.FIELDS);

    private ConfigParser() {}

    public static ServerConfig parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new ConfigException("invalid JSON" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new ConfigException("invalid JSON: empty document");
        }
        ObjectNode o = object(root, "(root)");
        known(o, "", ROOT);
        List<BackstoreConfig> backstores = new ArrayList<>();
        ArrayNode bs = array(o, "", "backstores");
        for (int i = 0; bs != null && i < bs.size(); i++) {
            backstores.add(backstore(bs.get(i), "backstores[" + i + "]"));
        }
        List<TargetConfig> targets = new ArrayList<>();
        ArrayNode ts = array(o, "", "targets");
        for (int i = 0; ts != null && i < ts.size(); i++) {
            targets.add(target(ts.get(i), "targets[" + i + "]"));
        }
        List<VhostConfig> vhost = new ArrayList<>();
        ArrayNode vs = array(o, "", "vhost");
        for (int i = 0; vs != null && i < vs.size(); i++) {
            vhost.add(vhost(vs.get(i), "vhost[" + i + "]"));
        }
        return ConfigValidator.validate(new ServerConfig(backstores, targets, limits(o), chap(o, "", "discoveryAuth"),
                vhost, gateway(o)));
    }

    /** The optional "gateway" object (implicit ALUA between gateways); its rules are in ConfigValidator. */
    private static GatewayConfig gateway(ObjectNode root) {
        JsonNode n = root.get("gateway");
        if (n == null || n.isNull()) {
            return null;
        }
        String p = "gateway";
        ObjectNode o = object(n, p);
        known(o, p, GATEWAY);
        Integer group = integer(o, p, "group");
        if (group == null) {
            throw new ConfigException(p + ".group", "is required");
        }
        Integer first = integer(o, p, "firstRelativePort");
        List<GatewayConfig.Peer> peers = new ArrayList<>();
        ArrayNode ps = array(o, p, "peers");
        for (int i = 0; ps != null && i < ps.size(); i++) {
            String pp = p + ".peers[" + i + "]";
            ObjectNode po = object(ps.get(i), pp);
            known(po, pp, GATEWAY_PEER);
            Integer pg = integer(po, pp, "group");
            if (pg == null) {
                throw new ConfigException(pp + ".group", "is required");
            }
            List<Integer> rel = new ArrayList<>();
            ArrayNode rs = array(po, pp, "relativePorts");
            for (int j = 0; rs != null && j < rs.size(); j++) {
                if (!rs.get(j).canConvertToInt()) {
                    throw new ConfigException(pp + ".relativePorts[" + j + "]", "must be an integer");
                }
                rel.add(rs.get(j).asInt());
            }
            peers.add(new GatewayConfig.Peer(pg, rel));
        }
        return new GatewayConfig(group, first == null ? 1 : first, peers);
    }

    /** One vhost-user-scsi controller; its rules are in ConfigValidator. */
    private static VhostConfig vhost(JsonNode n, String p) {
        ObjectNode o = object(n, p);
        known(o, p, VHOST);
        return new VhostConfig(VhostPaths.normalize(requiredString(o, p, "socket"), p + ".socket"),
                luns(array(o, p, "luns"), p + ".luns"), string(o, p, "mode"), string(o, p, "group"),
                copyPolicy(o, p), initiatorName(string(o, p, "initiator")));
    }

    private static String initiatorName(String name) {
        return name == null ? null : IscsiNames.normalize(name);
    }

    /** "copyPolicy": "initiator" (also when absent) or "port". */
    private static CopyAccessPolicy copyPolicy(ObjectNode o, String p) {
        String cp = string(o, p, "copyPolicy");
        if (cp == null) {
            return null;
        }
        return switch (cp) {
            case "initiator" -> CopyAccessPolicy.INITIATOR;
            case "port" -> CopyAccessPolicy.PORT;
            default -> throw new ConfigException(p + ".copyPolicy", "\"" + cp + "\" is not \"initiator\" or \"port\"");
        };
    }

    /** The optional "limits" object; absent or null means every limit at its default. */
    private static LimitsConfig limits(ObjectNode root) {
        JsonNode n = root.get("limits");
        if (n == null || n.isNull()) {
            return null;
        }
        String p = "limits";
        ObjectNode o = object(n, p);
        known(o, p, LIMITS);
        return new LimitsConfig(size(o, p, "sessionBuffer"), size(o, p, "serverBuffer"),
                integer(o, p, "sendTimeoutSeconds"), integer(o, p, "nopIntervalSeconds"),
                integer(o, p, "nopTimeoutSeconds"), integer(o, p, "loginTimeoutSeconds"),
                integer(o, p, "workerThreads"), integer(o, p, "loginBackoffMillis"),
                integer(o, p, "loginBackoffMaxMillis"));
    }

    private static BackstoreConfig backstore(JsonNode n, String p) {
        ObjectNode o = object(n, p);
        known(o, p, BACKSTORE);
        String name = requiredString(o, p, "name");
        String typeName = requiredString(o, p, "type");
        BackstoreType type = BackstoreType.fromJson(typeName);
        if (type == null) {
            throw new ConfigException(p + ".type", "\"" + typeName + "\" is not one of " + BackstoreType.jsonNames());
        }
        Long size = size(o, p, "size");
        Integer blockSize = integer(o, p, "blockSize");
        String naa = string(o, p, "naa");
        Boolean removable = bool(o, p, "removable");
        Integer enableCount = integer(o, p, "enableCount");
        return new BackstoreConfig(name, type, string(o, p, "path"), size,
                blockSize == null ? BackstoreConfig.DEFAULT_BLOCK_SIZE : blockSize,
                naa == null ? null : naa.toLowerCase(java.util.Locale.ROOT), string(o, p, "serial"),
                removable != null && removable, integer(o, p, "physicalBlockSize"),
                integer(o, p, "softThresholdPercent"),
                enableCount == null ? 0 : enableCount, rbd(o, p));
    }

    /** The rbd fields of a backstore, or null when it has none (the validator decides which types need them). */
    private static io.xtarget.backend.rbd.RbdImageSpec rbd(ObjectNode o, String p) {
        String pool = string(o, p, "pool");
        String image = string(o, p, "image");
        String conf = string(o, p, "cephConf");
        String user = string(o, p, "user");
        if (pool == null && image == null && conf == null && user == null) {
            return null;
        }
        return new io.xtarget.backend.rbd.RbdImageSpec(pool, image, conf, user);
    }

    private static TargetConfig target(JsonNode n, String p) {
        ObjectNode o = object(n, p);
        known(o, p, TARGET);
        String name = IscsiNames.normalize(requiredString(o, p, "name"));
        List<String> portals = new ArrayList<>();
        ArrayNode ps = array(o, p, "portals");
        for (int j = 0; ps != null && j < ps.size(); j++) {
            String pp = p + ".portals[" + j + "]";
            if (!ps.get(j).isTextual()) {
                throw new ConfigException(pp, "expected a string \"HOST:PORT\"");
            }
            portals.add(Portals.normalize(ps.get(j).asText(), pp));
        }
        CopyAccessPolicy policy = CopyAccessPolicy.INITIATOR;
        String cp = string(o, p, "copyPolicy");
        if (cp != null) {
            policy = switch (cp) {
                case "initiator" -> CopyAccessPolicy.INITIATOR;
                case "port" -> CopyAccessPolicy.PORT;
                default -> throw new ConfigException(p + ".copyPolicy", "\"" + cp + "\" is not \"initiator\" or \"port\"");
            };
        }
        List<LunConfig> luns = luns(array(o, p, "luns"), p + ".luns");
        List<AclConfig> acls = new ArrayList<>();
        ArrayNode as = array(o, p, "acls");
        for (int j = 0; as != null && j < as.size(); j++) {
            String ap = p + ".acls[" + j + "]";
            ObjectNode a = object(as.get(j), ap);
            known(a, ap, ACL);
            String initiator = IscsiNames.normalize(requiredString(a, ap, "initiator"));
            ArrayNode al = array(a, ap, "luns");
            acls.add(new AclConfig(initiator, al == null ? null : luns(al, ap + ".luns"), chap(a, ap, "chap"),
                    bool(a, ap, "resets")));
        }
        return new TargetConfig(name, portals, policy, luns, acls, chap(o, p, "chap"));
    }

    /**
     * An optional CHAP object: "chap" of a target or ACL entry, or the top-level "discoveryAuth";
     * its rules are in ConfigValidator.
     */
    private static ChapConfig chap(ObjectNode parent, String p, String f) {
        JsonNode n = parent.get(f);
        if (n == null || n.isNull()) {
            return null;
        }
        String cp = field(p, f);
        ObjectNode o = object(n, cp);
        known(o, cp, CHAP);
        return new ChapConfig(requiredString(o, cp, "user"), requiredString(o, cp, "secret"),
                string(o, cp, "mutualUser"), string(o, cp, "mutualSecret"));
    }

    private static List<LunConfig> luns(ArrayNode a, String p) {
        List<LunConfig> out = new ArrayList<>();
        for (int k = 0; a != null && k < a.size(); k++) {
            String lp = p + "[" + k + "]";
            ObjectNode o = object(a.get(k), lp);
            known(o, lp, LUN);
            Integer lun = integer(o, lp, "lun");
            if (lun == null) {
                throw new ConfigException(lp + ".lun", "missing");
            }
            Boolean ro = bool(o, lp, "readOnly");
            out.add(new LunConfig(lun, requiredString(o, lp, "backstore"), ro != null && ro));
        }
        return out;
    }

    // ---- typed field access; every failure names the field ----

    private static String field(String p, String f) {
        return p.isEmpty() ? f : p + "." + f;
    }

    private static ObjectNode object(JsonNode n, String p) {
        if (!(n instanceof ObjectNode o)) {
            throw new ConfigException(p, "expected a JSON object");
        }
        return o;
    }

    private static void known(ObjectNode o, String p, Set<String> allowed) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new ConfigException(field(p, f), "unknown property");
            }
        }
    }

    private static ArrayNode array(ObjectNode o, String p, String f) {
        JsonNode n = o.get(f);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!(n instanceof ArrayNode a)) {
            throw new ConfigException(field(p, f), "expected a JSON array");
        }
        return a;
    }

    private static String string(ObjectNode o, String p, String f) {
        JsonNode n = o.get(f);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new ConfigException(field(p, f), "expected a string");
        }
        return n.asText();
    }

    private static String requiredString(ObjectNode o, String p, String f) {
        String s = string(o, p, f);
        if (s == null) {
            throw new ConfigException(field(p, f), "missing");
        }
        return s;
    }

    /** A byte count: a JSON integer, or a string in {@link Sizes} syntax ("64M"). */
    private static Long size(ObjectNode o, String p, String f) {
        JsonNode n = o.get(f);
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.asLong();
        }
        if (n.isTextual()) {
            try {
                return Sizes.parse(n.asText());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(field(p, f), e.getMessage());
            }
        }
        throw new ConfigException(field(p, f), "expected a number of bytes or a string like \"1G\"");
    }

    private static Integer integer(ObjectNode o, String p, String f) {
        JsonNode n = o.get(f);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new ConfigException(field(p, f), "expected an integer");
        }
        return n.asInt();
    }

    private static Boolean bool(ObjectNode o, String p, String f) {
        JsonNode n = o.get(f);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isBoolean()) {
            throw new ConfigException(field(p, f), "expected true or false");
        }
        return n.asBoolean();
    }
}
