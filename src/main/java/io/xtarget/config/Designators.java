package io.xtarget.config;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * Device identifiers of backstores: the NAA designator of VPD 0x83 and the unit serial number of
 * VPD 0x80. Generated once and persisted in the config so they survive restarts (hosts key
 * multipath and VMware datastores on them).
 *
 * <p>NAA type 6, IEEE Registered Extended (SPC-4 7.8.6.6.5): NAA nibble 6, a 24-bit IEEE company
 * id, then 100 bits of vendor specific identifier (+ extension). xtarget uses company id
 * 0x0A5854: the second-lowest bit of its first octet marks it a locally administered CID, which no
 * IEEE assignee owns; the 100 bits are random.
 */
public final class Designators {
    public static final int COMPANY_ID = 0x0A5854;
    private static final String PREFIX = "6" + String.format("%06x", COMPANY_ID);
    private static final Pattern NAA6 = Pattern.compile("6[0-9a-f]{31}");
    private static final Pattern SERIAL = Pattern.compile("[\\x21-\\x7e]{1,64}");
    private static final RandomGenerator RANDOM = new SecureRandom();

    private Designators() {}

    /** The config with every missing NAA and serial filled in, and whether anything changed. */
    public record Filled(ServerConfig config, boolean changed) {}

    public static Filled fillMissing(ServerConfig config) {
        return fillMissing(config, RANDOM);
    }

    static Filled fillMissing(ServerConfig config, RandomGenerator random) {
        Set<String> taken = new HashSet<>();
        Set<String> takenT10 = new HashSet<>();
        for (BackstoreConfig b : config.backstores()) {
            if (b.naa() != null) {
                taken.add(b.naa());
                takenT10.add(t10Key(b.naa()));
            }
        }
        boolean changed = false;
        List<BackstoreConfig> out = new ArrayList<>();
        for (BackstoreConfig b : config.backstores()) {
            String naa = b.naa();
            if (naa == null) {
                do {
                    naa = generateNaa(random);
                } while (taken.contains(naa) || !takenT10.add(t10Key(naa)));
                taken.add(naa);
            }
            String serial = b.serial() != null ? b.serial() : serialFor(naa);
            if (!naa.equals(b.naa()) || !serial.equals(b.serial())) {
                changed = true;
                b = b.withDesignators(naa, serial);
            }
            out.add(b);
        }
        return new Filled(changed ? config.withBackstores(out) : config, changed);
    }

    /** A fresh NAA 6 designator as 32 lower-case hex digits. */
    public static String generateNaa(RandomGenerator random) {
        // 100 random bits = 25 hex digits after "6" + 6-digit company id
        String hi = String.format("%012x", random.nextLong() & 0xFFFF_FFFF_FFFFL); // 48 bits
        String lo = String.format("%013x", random.nextLong() & 0xF_FFFF_FFFF_FFFFL); // 52 bits
        return PREFIX + hi + lo;
    }

    /** The serial derived from an NAA: its 25 vendor-specific hex digits, unique as the NAA is. */
    public static String serialFor(String naa) {
        return naa.substring(7);
    }

    /**
     * The part of the T10 vendor ID designator hosts compare to tell LUs apart (the first 8
     * characters after the vendor, {@link io.xtarget.scsi.LogicalUnit#t10VendorSpecific}): no two
     * backstores may share it.
     */
    public static String t10Key(String naa) {
        return io.xtarget.scsi.LogicalUnit.t10VendorSpecific(naa).substring(0,
                io.xtarget.scsi.LogicalUnit.T10_UNIQUE_CHARS);
    }

    public static boolean isValidNaa(String naa) {
        return NAA6.matcher(naa).matches();
    }

    public static boolean isValidSerial(String serial) {
        return SERIAL.matcher(serial).matches();
    }

    public static byte[] naaBytes(String naa) {
        return HexFormat.of().parseHex(naa);
    }
}
