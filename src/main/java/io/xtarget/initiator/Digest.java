package io.xtarget.initiator;

/** HeaderDigest / DataDigest values (RFC 7143 13.1). */
public enum Digest {
    NONE("None"),
    CRC32C("CRC32C");

    private final String keyValue;

    Digest(String keyValue) {
        this.keyValue = keyValue;
    }

    public String keyValue() {
        return keyValue;
    }

    /** The digest named by a negotiation answer, or null when unknown. */
    public static Digest fromKeyValue(String v) {
        for (Digest d : values()) {
            if (d.keyValue.equalsIgnoreCase(v)) {
                return d;
            }
        }
        return null;
    }
}
