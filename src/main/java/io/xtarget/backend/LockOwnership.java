package io.xtarget.backend;

import java.io.IOException;

/**
 * A store on shared storage that several gateways open at once, with one owner at a time (an RBD
 * image's exclusive lock): the owner is the gateway whose target port group is active/optimized.
 */
public interface LockOwnership {
    /**
     * Whether this gateway owns the store now, taking ownership first (and keeping it until the
     * store closes) when nobody holds it.
     */
    boolean holdExclusiveLock() throws IOException;
}
