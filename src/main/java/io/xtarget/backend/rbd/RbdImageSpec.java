package io.xtarget.backend.rbd;

/**
 * Where an RBD image lives and how to reach it.
 *
 * @param pool the RADOS pool, e.g. "rbd"
 * @param image the image name in the pool
 * @param cephConf the ceph.conf naming the monitors and the keyring, or null for librados' own
 *     search ($CEPH_CONF, /etc/ceph/ceph.conf, ~/.ceph/config, ./ceph.conf)
 * @param user the cephx user without the "client." prefix, or null for "admin"
 */
public record RbdImageSpec(String pool, String image, String cephConf, String user) {

    /** Null when {@code name} can be a pool, image or user name, else what is wrong with it. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "must not be empty";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '@' || c <= ' ' || c == 0x7F) {
                return "\"" + name + "\" must not contain '/', '@', spaces or control characters";
            }
        }
        return null;
    }

    /** This spec with {@code cephConf} replaced (a relative one resolved by the caller). */
    public RbdImageSpec withCephConf(String conf) {
        return new RbdImageSpec(pool, image, conf, user);
    }

    /** "rbd:POOL/IMAGE", as logs and messages name the image. */
    @Override
    public String toString() {
        return "rbd:" + pool + "/" + image;
    }
}
