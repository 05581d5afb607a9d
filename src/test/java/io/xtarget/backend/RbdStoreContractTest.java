package io.xtarget.backend;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.backend.rbd.RbdStore;

/** The Store contract on an RBD image of the Ceph test cluster (skipped without Ceph). */
class RbdStoreContractTest extends StoreContractTest {
    @Override
    protected Store create(long size) throws Exception {
        return RbdStore.open(CephTestCluster.newImage("contract"), BS, size, true);
    }

    @Override
    protected boolean hasCopyFastPath() {
        return false;
    }
}
