package io.xtarget.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Kinds of backstore, spelled in JSON as "ram", "file", "block", "null", "rbd". */
public enum BackstoreType {
    RAM,
    FILE,
    BLOCK,
    /** Discards writes, reads zeros: measures the fabric without storage (like LIO's nullio). */
    NULL,
    /** An image in a Ceph cluster, through librbd. */
    RBD;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type for a JSON name, or null. */
    public static BackstoreType fromJson(String s) {
        for (BackstoreType t : values()) {
            if (t.jsonName().equals(s)) {
                return t;
            }
        }
        return null;
    }

    /** The JSON names for error messages: {@code "ram", "file", "block", "null", "rbd"}. */
    public static String jsonNames() {
        return Arrays.stream(values()).map(t -> "\"" + t.jsonName() + "\"").collect(Collectors.joining(", "));
    }
}
