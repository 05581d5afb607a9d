package io.xtarget.cli;

import io.xtarget.config.ChapConfig;
import io.xtarget.config.ServerConfig;

/**
 * A config edit that stores CHAP secrets given on the command line ({@code target chap}, {@code
 * acl chap}, {@code discovery-auth set}): its {@link ChapSecretOptions} are checked before the
 * file is read (a usage error, exit 2), then {@link #change(ServerConfig, ChapConfig)} gets the
 * secrets they give.
 */
abstract class ChapEdit extends ConfigEdit {
    /** The command's CHAP options (its mixin). */
    abstract ChapSecretOptions chapOptions();

    /** The change that stores {@code secrets} in {@code current}; null secrets ({@code --clear}) remove them. */
    abstract Change change(ServerConfig current, ChapConfig secrets);

    @Override
    final void checkArguments() {
        chapOptions().toConfig(spec);
    }

    @Override
    final Change change(ServerConfig current) {
        return change(current, chapOptions().toConfig(spec));
    }
}
