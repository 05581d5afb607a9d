package io.xtarget.vhost;

import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.TaskManager;
import io.xtarget.scsi.UnitAttentions;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control queue (virtio 1.1 5.6.6.2): task management functions, the virtio side of the
 * core's {@link TaskManager}, as iSCSI's TaskManagement is on its side. Commands in a task set
 * are aborted by the core (SAM-5 5.6, with TAS); the response goes back once every aborted
 * command has ended, without holding a thread meanwhile. A LOGICAL UNIT RESET reaches other
 * initiators, so it is allowed only as the controller's LUN map grants
 * ({@link LunMap#mayResetLogicalUnit}), else FUNCTION REJECTED. Asynchronous notification
 * queries and subscriptions are answered with no events supported.
 */
final class ControlQueue {
    private static final Logger log = LoggerFactory.getLogger(ControlQueue.class);

    private final VirtioScsiController device;
    private final Virtqueue queue;

    ControlQueue(VirtioScsiController device, Virtqueue queue) {
        this.device = device;
        this.queue = queue;
    }

    void process() throws DeviceException {
        do {
            Virtqueue.Popped p;
            while ((p = queue.pop()) != null) {
                try {
                    handle(p);
                } catch (DeviceException e) {
                    queue.push(p, 0);
                    throw e;
                }
            }
        } while (queue.rearm());
    }

    private void handle(Virtqueue.Popped p) throws DeviceException {
        DescriptorChain c = p.chain();
        if (c.readableBytes() < 4) {
            throw new DeviceException("control request of " + c.readableBytes() + " bytes");
        }
        byte[] type = new byte[4];
        c.read(0, MemorySegment.ofArray(type));
        switch (ByteBuffer.wrap(type).order(ByteOrder.LITTLE_ENDIAN).getInt()) {
            case VirtioScsi.T_TMF -> tmf(p);
            case VirtioScsi.T_AN_QUERY, VirtioScsi.T_AN_SUBSCRIBE -> {
                need(c, VirtioScsi.AN_REQUEST_BYTES, VirtioScsi.AN_RESPONSE_BYTES);
                byte[] r = new byte[VirtioScsi.AN_RESPONSE_BYTES]; // event_actual 0: none supported
                r[4] = VirtioScsi.S_OK;
                c.write(0, MemorySegment.ofArray(r));
                VirtioScsiController.give(p, r.length);
            }
            default -> {
                log.debug("control request of unknown type");
                VirtioScsiController.give(p, 0);
            }
        }
    }

    private static void need(DescriptorChain c, int readable, int writable) throws DeviceException {
        if (c.readableBytes() < readable || c.writableBytes() < writable) {
            throw new DeviceException("control request with " + c.readableBytes() + " readable and "
                    + c.writableBytes() + " writable bytes (needs " + readable + " and " + writable + ")");
        }
    }

    private void tmf(Virtqueue.Popped p) throws DeviceException {
        DescriptorChain c = p.chain();
        need(c, VirtioScsi.TMF_REQUEST_BYTES, 1);
        byte[] req = new byte[VirtioScsi.TMF_REQUEST_BYTES];
        c.read(0, MemorySegment.ofArray(req));
        ByteBuffer b = ByteBuffer.wrap(req).order(ByteOrder.LITTLE_ENDIAN);
        int subtype = b.getInt(4);
        long tag = b.getLong(16);
        IntConsumer respond = response -> {
            c.write(0, MemorySegment.ofArray(new byte[] {(byte) response}));
            VirtioScsiController.give(p, 1);
        };
        if (req[8] != 1 || req[9] != 0) {
            respond.accept(VirtioScsi.S_BAD_TARGET);
            return;
        }
        perform(subtype, VirtioScsiRequest.lun(req, 8), tag, respond);
    }

    /** Performs one function; {@code respond} gets the response, at once or when aborted tasks ended. */
    void perform(int subtype, int lun, long tag, IntConsumer respond) {
        Nexus nexus = device.nexus();
        LunMap map = device.lunMap();
        TaskManager tm = device.core().taskManager();
        LunMapping m = map.get(lun);
        switch (subtype) {
            case VirtioScsi.TMF_ABORT_TASK -> {
                VirtioScsiCommand cmd = device.inFlight(tag);
                if (cmd == null || cmd.request().lun() != lun) {
                    respond.accept(VirtioScsi.S_FUNCTION_COMPLETE); // no such task: nothing to abort
                    return;
                }
                tm.abortTask(cmd.task(), nexus).whenEnded(() -> respond.accept(VirtioScsi.S_FUNCTION_COMPLETE));
            }
            case VirtioScsi.TMF_ABORT_TASK_SET, VirtioScsi.TMF_CLEAR_TASK_SET -> {
                if (m == null) {
                    respond.accept(VirtioScsi.S_INCORRECT_LUN);
                    return;
                }
                tm.abortTaskSet(m.unit(), nexus).whenEnded(() -> respond.accept(VirtioScsi.S_FUNCTION_COMPLETE));
            }
            case VirtioScsi.TMF_LOGICAL_UNIT_RESET -> {
                if (m == null) {
                    respond.accept(VirtioScsi.S_INCORRECT_LUN);
                    return;
                }
                if (!map.mayResetLogicalUnit(lun)) {
                    log.warn("refused LUN reset of LUN {} ({}) by {}: {}", lun, m.unit().name(), nexus,
                            map.resets() != null ? "resets are not granted" : "its mapping is read-only");
                    respond.accept(VirtioScsi.S_FUNCTION_REJECTED);
                    return;
                }
                log.info("LUN reset of {} by {}", m.unit().name(), nexus);
                tm.resetLogicalUnit(m.unit(), nexus).whenEnded(() -> respond.accept(VirtioScsi.S_FUNCTION_COMPLETE));
            }
            case VirtioScsi.TMF_I_T_NEXUS_RESET -> {
                // SAM-5 7.6: an I_T nexus loss of this nexus (its tasks, SPC-2 reservation, PREVENTs),
                // then I_T NEXUS LOSS OCCURRED for it on every LU; the nexus goes on.
                log.info("I_T nexus reset by {}", nexus);
                TaskManager.Aborted a = device.core().nexusLost(nexus, map);
                for (LunMapping each : map.mappings()) {
                    each.unit().unitAttentions().establish(nexus, UnitAttentions.I_T_NEXUS_LOSS);
                }
                device.core().nexusFormed(nexus, map);
                a.whenEnded(() -> respond.accept(VirtioScsi.S_FUNCTION_COMPLETE));
            }
            case VirtioScsi.TMF_QUERY_TASK -> {
                VirtioScsiCommand cmd = device.inFlight(tag);
                respond.accept(cmd != null && cmd.request().lun() == lun ? VirtioScsi.S_FUNCTION_SUCCEEDED
                        : VirtioScsi.S_FUNCTION_COMPLETE);
            }
            case VirtioScsi.TMF_QUERY_TASK_SET -> respond.accept(device.inFlight().stream()
                    .anyMatch(x -> x.request().lun() == lun) ? VirtioScsi.S_FUNCTION_SUCCEEDED
                    : VirtioScsi.S_FUNCTION_COMPLETE);
            default -> respond.accept(VirtioScsi.S_FUNCTION_REJECTED); // CLEAR ACA: no ACA (NACA is 0)
        }
    }
}
