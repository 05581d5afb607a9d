package io.xtarget.config;

import io.xtarget.backend.rbd.RbdImageSpec;

/**
 * One backstore: a named store that becomes one logical unit.
 *
 * @param name unique name LUN entries refer to
 * @param type ram, file, block, null or rbd
 * @param path file or device path (file, block); relative paths resolve against the config file's directory
 * @param size capacity in bytes (ram, null: required; file, rbd: used to create a missing image; block: not
 *     allowed), or null
 * @param blockSize logical block size, 512 or 4096
 * @param naa the 32-hex-digit NAA 6 designator (VPD 0x83), or null until generated
 * @param serial unit serial number (VPD 0x80), or null until generated
 * @param removable whether the LU reports a removable medium (INQUIRY RMB=1) that START STOP UNIT
 *     can eject and load; false by default
 * @param physicalBlockSize bytes per physical block reported to initiators (READ CAPACITY(16),
 *     VPD 0xB0), a power-of-two multiple of {@code blockSize} (4096 on 512: "512e"); null: the
 *     block size
 * @param softThresholdPercent file backstores: the thin provisioning soft threshold, in percent
 *     of the image's file system in use (1 to 99), or null for none
 * @param enableCount how many times an administrator enabled the backstore ({@code xtarget
 *     backstore enable}); a reload that sees it grow returns a failed LU to service
 * @param rbd rbd backstores: the pool, image, ceph.conf and cephx user (JSON "pool", "image",
 *     "cephConf", "user"); null for the other types
 */
public record BackstoreConfig(String name, BackstoreType type, String path, Long size, int blockSize, String naa,
        String serial, boolean removable, Integer physicalBlockSize, Integer softThresholdPercent, long enableCount,
        RbdImageSpec rbd) {

    /** A backstore that is no rbd image. */
    public BackstoreConfig(String name, BackstoreType type, String path, Long size, int blockSize, String naa,
            String serial, boolean removable, Integer physicalBlockSize, Integer softThresholdPercent,
            long enableCount) {
        this(name, type, path, size, blockSize, naa, serial, removable, physicalBlockSize, softThresholdPercent,
                enableCount, null);
    }

    public static final int DEFAULT_BLOCK_SIZE = 512;

    /** The largest physical block size a backstore may report. */
    public static final int MAX_PHYSICAL_BLOCK_SIZE = 1 << 20;

    /** A backstore with a non-removable medium. */
    public BackstoreConfig(String name, BackstoreType type, String path, Long size, int blockSize, String naa,
            String serial) {
        this(name, type, path, size, blockSize, naa, serial, false);
    }

    /** A backstore whose physical block is its logical block, without a soft threshold, never enabled. */
    public BackstoreConfig(String name, BackstoreType type, String path, Long size, int blockSize, String naa,
            String serial, boolean removable) {
        this(name, type, path, size, blockSize, naa, serial, removable, null, null, 0);
    }

    /** The physical block size the LU reports: {@link #physicalBlockSize} or, unset, the block size. */
    public int effectivePhysicalBlockSize() {
        return physicalBlockSize == null ? blockSize : physicalBlockSize;
    }

    public BackstoreConfig withDesignators(String naa, String serial) {
        return new BackstoreConfig(name, type, path, size, blockSize, naa, serial, removable, physicalBlockSize,
                softThresholdPercent, enableCount, rbd);
    }

    public BackstoreConfig withRemovable(boolean removable) {
        return new BackstoreConfig(name, type, path, size, blockSize, naa, serial, removable, physicalBlockSize,
                softThresholdPercent, enableCount, rbd);
    }

    public BackstoreConfig withPhysicalBlockSize(Integer physicalBlockSize) {
        return new BackstoreConfig(name, type, path, size, blockSize, naa, serial, removable, physicalBlockSize,
                softThresholdPercent, enableCount, rbd);
    }

    public BackstoreConfig withSoftThresholdPercent(Integer percent) {
        return new BackstoreConfig(name, type, path, size, blockSize, naa, serial, removable, physicalBlockSize,
                percent, enableCount, rbd);
    }

    public BackstoreConfig withEnableCount(long count) {
        return new BackstoreConfig(name, type, path, size, blockSize, naa, serial, removable, physicalBlockSize,
                softThresholdPercent, count, rbd);
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
