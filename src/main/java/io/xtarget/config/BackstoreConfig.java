package io.xtarget.config;

/**
 * One backstore: a named store that becomes one logical unit.
 *
 * @param name unique name LUN entries refer to
 * @param type ram, file, block or null
 * @param path file or device path (file, block); relative paths resolve against the config file's directory
 * @param size capacity in bytes (ram, null: required; file: used to create a missing file; block: not allowed), or null
 * @param blockSize logical block size, 512 or 4096
 * @param naa the 32-hex-digit NAA 6 designator (VPD 0x83), or null until generated
 * @param serial unit serial number (VPD 0x80), or null until generated
 * @param removable whether the LU reports a removable medium (INQUIRY RMB=1) that START STOP UNIT
 *     can eject and load; false by default
 * @param softThresholdPercent file backstores: the thin provisioning soft threshold, in percent
 *     of the image's file system in use (1 to 99), or null for none
 * @param enableCount how many times an administrator enabled the backstore ({@code xtarget
 *     backstore enable}); a reload that sees it grow returns a failed LU to service
 */
public record BackstoreConfig(String name, BackstoreType type, String path, Long size, int blockSize, String naa,
        String serial, boolean removable, Integer softThresholdPercent, long enableCount) {

    public static final int DEFAULT_BLOCK_SIZE = 512;

    /** A backstore with a non-removable medium. */
    public BackstoreConfig(String name, BackstoreType type, String path, Long size, int blockSize, String naa,
            String serial) {
        this(name, type, path, size, blockSize, naa, serial, false);
    }

    /** A backstore without a soft threshold, never enabled by an administrator. */
    public BackstoreConfig(String name, BackstoreType type, String path, Long size, int blockSize, String naa,
            String serial, boolean removable) {
        this(name, type, path, size, blockSize, naa, serial, removable, null, 0);
    }

    public BackstoreConfig withDesignators(String naa, String serial) {
        return new BackstoreConfig(name, type, path, size, blockSize, naa, serial, removable, softThresholdPercent,
                enableCount);
    }

    public BackstoreConfig withRemovable(boolean removable) {
        return new BackstoreConfig(name, type, path, size, blockSize, naa, serial, removable, softThresholdPercent,
                enableCount);
    }

    public BackstoreConfig withSoftThresholdPercent(Integer percent) {
        return new BackstoreConfig(name, type, path, size, blockSize, naa, serial, removable, percent, enableCount);
    }

    public BackstoreConfig withEnableCount(long count) {
        return new BackstoreConfig(name, type, path, size, blockSize, naa, serial, removable, softThresholdPercent,
                count);
    }

    /**
     * Whether {@code other} describes the same store: equal but for the settings a running
     * server applies on reload (soft threshold, enable count).
     */
    public boolean sameStore(BackstoreConfig other) {
        return other != null && withSoftThresholdPercent(null).withEnableCount(0)
                .equals(other.withSoftThresholdPercent(null).withEnableCount(0));
    }
}
