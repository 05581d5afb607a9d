package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** Login Response (RFC 7143 11.13). */
public record LoginResponse(boolean transit, boolean cont, int csg, int nsg, int versionMax, int versionActive,
        long isid, int tsih, int itt, int statSn, int expCmdSn, int maxCmdSn, int statusClass, int statusDetail,
        ByteBuffer data) implements Pdu {
    public LoginResponse {
        data = Pdu.orEmpty(data);
    }

    public int opcode() {
        return Opcode.LOGIN_RESPONSE;
    }

    static LoginResponse decode(Bhs h, ByteBuffer data) {
        int f = h.flags();
        return new LoginResponse((f & 0x80) != 0, (f & 0x40) != 0, (f >>> 2) & 3, f & 3, h.u8(2), h.u8(3),
                h.u48(8), h.u16(14), h.i32(16), h.i32(24), h.i32(28), h.i32(32), h.u8(36), h.u8(37), data);
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.LOGIN_RESPONSE, false)
                .put8(1, (transit ? 0x80 : 0) | (cont ? 0x40 : 0) | ((csg & 3) << 2) | (nsg & 3))
                .put8(2, versionMax).put8(3, versionActive).put48(8, isid).put16(14, tsih).put32(16, itt)
                .put32(24, statSn).put32(28, expCmdSn).put32(32, maxCmdSn).put8(36, statusClass)
                .put8(37, statusDetail);
    }
}
