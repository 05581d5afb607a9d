package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** Login Request (RFC 7143 11.12). Stages: 0 security, 1 operational, 3 full feature. */
public record LoginRequest(boolean transit, boolean cont, int csg, int nsg, int versionMax, int versionMin, long isid,
        int tsih, int itt, int cid, int cmdSn, int expStatSn, ByteBuffer data) implements Pdu {
    public LoginRequest {
        data = Pdu.orEmpty(data);
    }

    public int opcode() {
        return Opcode.LOGIN_REQUEST;
    }

    static LoginRequest decode(Bhs h, ByteBuffer data) {
        int f = h.flags();
        return new LoginRequest((f & 0x80) != 0, (f & 0x40) != 0, (f >>> 2) & 3, f & 3, h.u8(2), h.u8(3), h.u48(8),
                h.u16(14), h.i32(16), h.u16(20), h.i32(24), h.i32(28), data);
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.LOGIN_REQUEST, true)
                .put8(1, (transit ? 0x80 : 0) | (cont ? 0x40 : 0) | ((csg & 3) << 2) | (nsg & 3))
                .put8(2, versionMax).put8(3, versionMin).put48(8, isid).put16(14, tsih).put32(16, itt)
                .put16(20, cid).put32(24, cmdSn).put32(28, expStatSn);
    }
}
