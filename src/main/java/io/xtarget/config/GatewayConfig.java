package io.xtarget.config;

import java.util.List;

/**
 * The top-level {@code "gateway"} object: this server is one gateway of several exporting the same
 * RBD-backed LUs (same NAA designator and serial) with implicit ALUA. All of this server's target
 * ports form target port group {@code group}, with relative port identifiers from
 * {@code firstRelativePort} on (so that they differ from the peers'); each peer gateway's group is
 * listed with its relative port identifiers, to be reported in REPORT TARGET PORT GROUPS.
 *
 * @param firstRelativePort the first relative port identifier of this gateway's ports, 1 when absent
 */
public record GatewayConfig(int group, int firstRelativePort, List<Peer> peers) {
    /** Another gateway's target port group. */
    public record Peer(int group, List<Integer> relativePorts) {
        public Peer {
            relativePorts = List.copyOf(relativePorts);
        }
    }

    public GatewayConfig {
        peers = List.copyOf(peers);
    }
}
