package io.xtarget.scsi.spc;

import io.xtarget.scsi.AccessState;
import io.xtarget.scsi.Alua;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.TargetPort;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * REPORT TARGET PORT GROUPS (SPC-4 6.36): one descriptor per target port group of the whole
 * server (the xtarget process is one SCSI target device): the targets' ports and the ports fabrics
 * registered ({@link io.xtarget.scsi.ScsiCore#ports}), every group active/optimized.
 */
final class ReportTargetPortGroups {
    private ReportTargetPortGroups() {}

    static ScsiResult execute(ScsiTask task) throws ScsiException {
        int format = task.cdb().u8(1) >>> 5;
        long alloc = task.cdb().u32(6);
        if (format > 1) {
            throw new ScsiException(Sense.invalidFieldInCdb(1, 7));
        }
        Map<Integer, TreeSet<Integer>> groups = new TreeMap<>();
        for (TargetPort p : task.core().ports()) {
            groups.computeIfAbsent(p.portGroupId(), g -> new TreeSet<>()).add(p.relativePortId());
        }
        DataBuilder b = new DataBuilder().u32(0);
        if (format == 1) {
            b.u8(0x10).u8(0).u16(0); // FORMAT TYPE 001b, IMPLICIT TRANSITION TIME 0
        }
        Alua alua = task.core().alua();
        if (alua != null) {
            // gateways: this one's groups and the peers', with the states of the addressed LU
            AccessState local = alua.localState(task.lu());
            AccessState peer = alua.peerState(task.lu());
            Map<Integer, AccessState> states = new TreeMap<>();
            for (Integer g : groups.keySet()) {
                states.put(g, local);
            }
            for (Alua.PeerGroup pg : alua.peers()) {
                groups.computeIfAbsent(pg.id(), g -> new TreeSet<>()).addAll(pg.relativePorts());
                states.put(pg.id(), peer);
            }
            for (Map.Entry<Integer, TreeSet<Integer>> g : groups.entrySet()) {
                List<Integer> ports = List.copyOf(g.getValue()).subList(0, Math.min(255, g.getValue().size()));
                b.u8(states.get(g.getKey()).code); // PREF 0, ASYMMETRIC ACCESS STATE
                b.u8(0x03); // AN_SUP, AO_SUP
                b.u16(g.getKey());
                b.u8(0).u8(0).u8(0).u8(ports.size());
                for (int rel : ports) {
                    b.u16(0).u16(rel);
                }
            }
            b.setU32(0, b.length() - 4);
            return ScsiResult.good(b.toArray(), alloc);
        }
        for (Map.Entry<Integer, TreeSet<Integer>> g : groups.entrySet()) {
            List<Integer> ports = List.copyOf(g.getValue()).subList(0, Math.min(255, g.getValue().size()));
            b.u8(0x00); // PREF 0, ASYMMETRIC ACCESS STATE 0h: active/optimized
            b.u8(0x01); // AO_SUP: the only state this target ever reports
            b.u16(g.getKey());
            b.u8(0).u8(0).u8(0).u8(ports.size()); // reserved, STATUS CODE, vendor specific, count
            for (int rel : ports) {
                b.u16(0).u16(rel);
            }
        }
        b.setU32(0, b.length() - 4);
        return ScsiResult.good(b.toArray(), alloc);
    }
}
