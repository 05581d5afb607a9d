package io.xtarget.iscsi;

import io.xtarget.scsi.ScsiCore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The iSCSI fabric: listens on every portal of every target in the core, runs logins, sessions
 * and connections, and hands SCSI commands to the core.
 */
public final class IscsiServer implements AutoCloseable {
    private final ScsiCore core;

    public IscsiServer(ScsiCore core) {
        this.core = core;
    }

    /** Binds every distinct portal ("host:port", port 0 = ephemeral) and starts accepting. */
    public void start() throws IOException {
        throw new UnsupportedOperationException("fabric not yet built");
    }

    /** The addresses actually bound, in the order of first appearance among target ports. */
    public List<InetSocketAddress> boundAddresses() {
        return List.of();
    }

    public ScsiCore core() {
        return core;
    }

    /** Stops accepting, ends every session (running copies see their tasks aborted), closes sockets. */
    @Override
    public void close() {}
}
