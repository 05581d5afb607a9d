package io.xtarget.config;

import java.util.Locale;

/** Kinds of backstore, spelled in JSON as "ram", "file", "block". */
public enum BackstoreType {
    RAM,
    FILE,
    BLOCK;

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
}
