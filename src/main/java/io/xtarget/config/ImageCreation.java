package io.xtarget.config;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which file backstores may get a new, empty image when theirs does not exist.
 *
 * <p>A backstore is <em>new</em> while it has no persisted identity: the config (file) gave it no
 * NAA designator, so xtarget generates one now ({@link ConfigStore#read}). A missing image of a new
 * backstore is created sparse at its {@code size}. A backstore with a persisted NAA has been
 * served under that identity, so its image existed: when it is missing now (deleted, a file system
 * that did not mount, a block device that vanished) xtarget does not create an empty disk under
 * the old identity; the LU stays mapped and reports NOT READY until the image is back. Only an
 * explicit {@code xtarget serve --create[=NAME,...]} ({@link #recreate}) creates such an image
 * again. A missing block device, or a missing image of a new backstore that cannot be created (no
 * {@code size}), is a config error as before: nobody has seen that disk yet.
 *
 * @param newBackstores backstores whose designators the loading of the config generated
 * @param recreateAll {@code --create} without names: every missing image may be created
 * @param recreate backstores named in {@code --create=NAME,...}
 */
public record ImageCreation(Set<String> newBackstores, boolean recreateAll, Set<String> recreate) {
    /** Only backstores without a persisted designator (in the config passed to the builder). */
    public static final ImageCreation NEW_ONLY = new ImageCreation(Set.of(), false, Set.of());

    public ImageCreation {
        newBackstores = Set.copyOf(newBackstores);
        recreate = Set.copyOf(recreate);
    }

    /**
     * The policy of {@code --create}: null when the option was not given, an empty list (or one
     * "*") for every backstore, else the named backstores.
     */
    public static ImageCreation recreating(List<String> names) {
        if (names == null) {
            return NEW_ONLY;
        }
        boolean all = names.isEmpty() || names.contains("*");
        return new ImageCreation(Set.of(), all, all ? Set.of() : new HashSet<>(names));
    }

    /** This policy, also treating {@code names} as new backstores. */
    public ImageCreation withNew(Collection<String> names) {
        Set<String> n = new HashSet<>(newBackstores);
        n.addAll(names);
        return new ImageCreation(n, recreateAll, recreate);
    }

    /** This policy, also treating the backstores of {@code config} that have no NAA yet as new. */
    public ImageCreation withNewOf(ServerConfig config) {
        return withNew(config.backstores().stream().filter(b -> b.naa() == null).map(BackstoreConfig::name).toList());
    }

    /** Whether the backstore has no persisted identity yet. */
    public boolean isNew(String backstore) {
        return newBackstores.contains(backstore);
    }

    /** Whether a missing image of this backstore may be created (empty, sparse). */
    public boolean mayCreate(String backstore) {
        return recreateAll || isNew(backstore) || recreate.contains(backstore);
    }

    /** Names in {@code --create=NAME,...} that are no backstore of {@code config} (a typo the admin should hear of). */
    public List<String> unknownIn(ServerConfig config) {
        return recreate.stream().filter(n -> config.backstore(n) == null).sorted().toList();
    }
}
