package io.xtarget.scsi.spc;

import io.xtarget.scsi.AccessState;
import io.xtarget.scsi.Alua;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.TargetPort;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * SET TARGET PORT GROUPS (SPC-4, MAINTENANCE OUT service action 0Ah; explicit asymmetric access
 * state transitions, SPC-4 5.15), for the addressed LU.
 *
 * <p>CDB: PARAMETER LIST LENGTH in bytes 6-9. Parameter list: 4 reserved bytes, then set target
 * port group descriptors of 4 bytes: byte 0 bits 3-0 ASYMMETRIC ACCESS STATE, bytes 2-3 TARGET
 * PORT GROUP. A length of zero changes nothing; a length that is not 4 plus a multiple of 4 is a
 * PARAMETER LIST LENGTH ERROR (1Ah/00h).
 *
 * <p>On a gateway ({@link Alua#explicit}) the states are the two xtarget reports: the owner of the
 * LU's image is active/optimized (0h), the other gateways active/non-optimized (1h). Each
 * descriptor asks for one of two outcomes: this gateway optimized (its own group 0h, or the one
 * peer's group 1h when there is a single peer) or this gateway non-optimized (its own group 1h, or
 * a peer's group 0h); {@link Alua#setExplicitly} then takes the image over or gives it up. With
 * several peers, a peer's group 1h asks nothing of this gateway. Refused with ILLEGAL REQUEST,
 * INVALID FIELD IN PARAMETER LIST (26h/00h) and a field pointer, changing nothing: a state other
 * than 0h or 1h (standby, unavailable, offline, transitioning: never reported, so not supported),
 * a group that is neither this gateway's nor a peer's, nonzero reserved bits, descriptors that ask
 * for both outcomes. A takeover or release that fails: HARDWARE ERROR, SET TARGET PORT GROUPS
 * COMMAND FAILED (67h/0Ah).
 *
 * <p>Without a gateway every group is always active/optimized: descriptors asking that of this
 * server's groups are accepted (nothing changes), anything else is an invalid field.
 */
final class SetTargetPortGroups {
    private static final int HEADER = 4;
    private static final int DESCRIPTOR = 4;

    private SetTargetPortGroups() {}

    static ScsiResult execute(ScsiTask task) throws ScsiException {
        long length = task.cdb().u32(6);
        if (length == 0) {
            return ScsiResult.good();
        }
        if (length < HEADER || (length - HEADER) % DESCRIPTOR != 0 || length > 0xFFFF) {
            throw new ScsiException(Sense.parameterListLengthError());
        }
        ByteBuffer list = task.dataOut((int) length);
        Set<Integer> local = new HashSet<>();
        for (TargetPort p : task.core().ports()) {
            local.add(p.portGroupId());
        }
        Alua alua = task.core().alua();
        boolean gateway = alua != null && alua.explicit();
        Set<Integer> peers = new HashSet<>();
        if (gateway) {
            alua.peers().forEach(g -> peers.add(g.id()));
        }
        Boolean optimizedHere = null;
        for (int at = HEADER; at < length; at += DESCRIPTOR) {
            int b0 = list.get(at) & 0xFF;
            if ((b0 & 0xF0) != 0) {
                throw new ScsiException(Sense.invalidFieldInParameterList(at, 7));
            }
            if (list.get(at + 1) != 0) {
                throw new ScsiException(Sense.invalidFieldInParameterList(at + 1, 7));
            }
            AccessState state = AccessState.of(b0 & 0x0F);
            int group = list.getShort(at + 2) & 0xFFFF;
            if (state == null) { // standby, unavailable, offline, transitioning: never offered
                throw new ScsiException(Sense.invalidFieldInParameterList(at, 3));
            }
            Boolean wanted;
            if (local.contains(group)) {
                wanted = state == AccessState.ACTIVE_OPTIMIZED;
            } else if (peers.contains(group)) {
                wanted = state == AccessState.ACTIVE_OPTIMIZED ? Boolean.FALSE : peers.size() == 1 ? Boolean.TRUE : null;
            } else {
                throw new ScsiException(Sense.invalidFieldInParameterList(at + 2, 7));
            }
            if (!gateway && !Boolean.TRUE.equals(wanted)) {
                throw new ScsiException(Sense.invalidFieldInParameterList(at, 3)); // only active/optimized here
            }
            if (wanted != null && optimizedHere != null && !wanted.equals(optimizedHere)) {
                throw new ScsiException(Sense.invalidFieldInParameterList(at, 3)); // asks for both outcomes
            }
            if (wanted != null) {
                optimizedHere = wanted;
            }
        }
        if (gateway && optimizedHere != null) {
            alua.setExplicitly(task.lu(), optimizedHere, task.nexus());
        }
        return ScsiResult.good();
    }
}
