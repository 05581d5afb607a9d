package io.xtarget.backend;

/**
 * The space a store draws on when it allocates blocks, as its file system reports it
 * (statvfs, statx). A thin (sparse) image takes space on first write; when the file system is
 * full, writes fail with {@link OutOfSpaceException}.
 *
 * @param totalBytes size of the file system
 * @param availableBytes space an unprivileged process may still allocate (f_bavail); root may
 *     also use the blocks some file systems reserve (ext4: 5 %)
 * @param allocatedBytes space the store's own file occupies (st_blocks x 512), or -1 when unknown
 */
public record SpaceUsage(long totalBytes, long availableBytes, long allocatedBytes) {

    /** Percentage of the file system in use, 0 to 100, rounded down. */
    public int usedPercent() {
        if (totalBytes <= 0) {
            return 0;
        }
        long used = Math.max(0, totalBytes - availableBytes);
        return (int) Math.min(100, Math.floor(used * 100.0 / totalBytes));
    }
}
