package io.xtarget.initiator;

import java.util.List;

/**
 * One target from a SendTargets answer (RFC 7143 Appendix C).
 *
 * @param name the TargetName
 * @param addresses its TargetAddress values, {@code host[:port],portal-group-tag}
 */
public record DiscoveredTarget(String name, List<String> addresses) {
    public DiscoveredTarget {
        addresses = List.copyOf(addresses);
    }
}
