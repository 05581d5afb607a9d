package io.xtarget.initiator;

import io.xtarget.iscsi.pdu.AsyncMessage;
import io.xtarget.iscsi.pdu.DataIn;
import io.xtarget.iscsi.pdu.LoginResponse;
import io.xtarget.iscsi.pdu.LogoutResponse;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.Reject;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import io.xtarget.iscsi.pdu.TextResponse;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sequence numbers the target's PDUs move (RFC 7143 4.2.2): ExpStatSN, which every PDU this
 * initiator sends carries, and the command window's ExpCmdSN/MaxCmdSN ({@link CmdSnWindow}).
 * Moved by the reader thread only; read by any sender.
 */
final class SequenceNumbers {
    private final CmdSnWindow window;
    private final AtomicInteger expStatSn;

    /** @param expStatSn the ExpStatSN after the final login response */
    SequenceNumbers(CmdSnWindow window, int expStatSn) {
        this.window = window;
        this.expStatSn = new AtomicInteger(expStatSn);
    }

    /** The StatSN expected next (one past the highest StatSN seen). */
    int expStatSn() {
        return expStatSn.get();
    }

    /**
     * ExpCmdSN/MaxCmdSN from every PDU that carries them; ExpStatSN advances past every PDU that
     * carries a status (RFC 7143 4.2.2.2). Data-In without S, R2T and NOP-In with the reserved ITT
     * hold the next StatSN without consuming it.
     */
    void track(Pdu p) {
        switch (p) {
            case DataIn d -> {
                window.update(d.expCmdSn(), d.maxCmdSn());
                if (d.statusPresent()) {
                    advanceStatSn(d.statSn());
                }
            }
            case ScsiResponsePdu r -> {
                window.update(r.expCmdSn(), r.maxCmdSn());
                advanceStatSn(r.statSn());
            }
            case R2t r -> window.update(r.expCmdSn(), r.maxCmdSn());
            case NopIn n -> {
                window.update(n.expCmdSn(), n.maxCmdSn());
                if (n.itt() != RequestTable.RESERVED_TAG) {
                    advanceStatSn(n.statSn());
                }
            }
            case TaskMgmtResponse r -> {
                window.update(r.expCmdSn(), r.maxCmdSn());
                advanceStatSn(r.statSn());
            }
            case TextResponse r -> {
                window.update(r.expCmdSn(), r.maxCmdSn());
                advanceStatSn(r.statSn());
            }
            case LogoutResponse r -> {
                window.update(r.expCmdSn(), r.maxCmdSn());
                advanceStatSn(r.statSn());
            }
            case Reject r -> {
                window.update(r.expCmdSn(), r.maxCmdSn());
                advanceStatSn(r.statSn());
            }
            case AsyncMessage a -> {
                window.update(a.expCmdSn(), a.maxCmdSn());
                advanceStatSn(a.statSn());
            }
            case LoginResponse r -> { }
            default -> { }
        }
    }

    private void advanceStatSn(int statSn) {
        expStatSn.accumulateAndGet(statSn + 1, SerialNumber::max);
    }
}
