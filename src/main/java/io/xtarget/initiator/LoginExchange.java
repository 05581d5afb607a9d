package io.xtarget.initiator;

import io.xtarget.initiator.TextKeys.Pair;
import io.xtarget.iscsi.pdu.LoginRequest;
import io.xtarget.iscsi.pdu.LoginResponse;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduChannel;
import io.xtarget.iscsi.pdu.PduException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The login phase of a leading connection (RFC 7143 6), run synchronously on the channel before
 * the reader thread starts: security stage with AuthMethod=None or CHAP ({@link ChapResponder}), or
 * straight to operational, then the operational stage, then full feature phase.
 */
final class LoginExchange {
    static final int SECURITY = 0;
    static final int OPERATIONAL = 1;
    static final int FULL_FEATURE = 3;
    /** Bound on request/response rounds, so a target that never transits cannot keep us forever. */
    private static final int MAX_ROUNDS = 16;
    /** Bound on the text of one login response sequence (C bit), RFC 7143 6.1 asks for 8192 at least. */
    private static final int MAX_TEXT = 65536;
    /** During login the target must accept 8192-byte segments (RFC 7143 13.12 default). */
    private static final int LOGIN_SEGMENT = 8192;

    record Outcome(NegotiatedParameters parameters, int tsih, int expStatSn, int expCmdSn, int maxCmdSn) {}

    private final PduChannel ch;
    private final long isid;
    private final int itt;
    private final int cmdSn;
    private final String context;
    private int expStatSn;
    private boolean haveStatSn;
    private int expCmdSn;
    private int maxCmdSn;
    private int tsih;

    LoginExchange(PduChannel ch, long isid, int itt, int cmdSn, String context) {
        this.ch = ch;
        this.isid = isid;
        this.itt = itt;
        this.cmdSn = cmdSn;
        this.context = context;
        this.expCmdSn = cmdSn;
        this.maxCmdSn = cmdSn;
    }

    Outcome run(InitiatorOptions o, boolean discovery, String targetName) throws IOException {
        Negotiation n = new Negotiation(o, discovery);
        ChapResponder chap = o.chap() == null ? null : new ChapResponder(o.chap(), context);
        int stage = o.securityStage() || chap != null ? SECURITY : OPERATIONAL;
        List<Pair> text = new ArrayList<>(n.identity(targetName));
        text.addAll(stage == SECURITY ? n.securityOffer() : n.operationalOffer());
        boolean operationalOffered = stage == OPERATIONAL;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            int nsg = stage == SECURITY ? OPERATIONAL : FULL_FEATURE;
            // During CHAP we ask to move on only with our response (RFC 7143 12.1.3, 6.3).
            boolean transit = stage != SECURITY || chap == null || chap.mayTransit();
            LoginResponse last = exchange(stage, transit ? nsg : 0, transit, TextKeys.encode(text));
            List<Pair> keys = new ArrayList<>();
            Map<String, String> chapKeys = new LinkedHashMap<>();
            for (Pair p : TextKeys.decode(accumulated)) {
                if (stage == SECURITY && chap != null && ChapResponder.isChapKey(p.key())) {
                    chapKeys.put(p.key(), p.value());
                } else {
                    keys.add(p);
                }
            }
            List<Pair> answers = n.apply(keys);
            List<Pair> next = new ArrayList<>(answers);
            if (stage == SECURITY && chap != null) {
                next.addAll(chap.onResponse(n.chapChosen(), n.authMethodAnswered(), chapKeys));
                if (last.transit() && !chap.complete()) {
                    throw new LoginException(context + ": target left the security stage before CHAP completed");
                }
            }
            if (last.transit()) {
                if (last.nsg() != nsg && !(stage == SECURITY && last.nsg() == FULL_FEATURE)) {
                    throw new IscsiProtocolException(context + ": target moved to unexpected stage " + last.nsg());
                }
                if (last.nsg() == FULL_FEATURE) {
                    if (tsih == 0 && !discovery) {
                        throw new IscsiProtocolException(context + ": final login response has TSIH 0");
                    }
                    return new Outcome(n.result(), tsih, expStatSn, expCmdSn, maxCmdSn);
                }
                stage = last.nsg();
            }
            text = next;
            if (stage == OPERATIONAL && !operationalOffered) {
                text.addAll(n.operationalOffer());
                operationalOffered = true;
            }
        }
        throw new IscsiProtocolException(context + ": login did not reach full feature phase in " + MAX_ROUNDS
                + " rounds");
    }

    private ByteBuffer accumulated;

    /**
     * Sends one login request and collects the whole response, following the C bit: the initiator
     * answers each partial response with an empty request (RFC 7143 11.12.2, 11.13.3).
     */
    private LoginResponse exchange(int csg, int nsg, boolean transit, byte[] text) throws IOException {
        if (text.length > LOGIN_SEGMENT) {
            throw new IllegalStateException("login text longer than " + LOGIN_SEGMENT);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        send(transit, csg, nsg, text);
        while (true) {
            LoginResponse r = receive();
            if (buf.size() + r.data().remaining() > MAX_TEXT) {
                throw new IscsiProtocolException(context + ": login response text exceeds " + MAX_TEXT + " bytes");
            }
            byte[] chunk = new byte[r.data().remaining()];
            r.data().duplicate().get(chunk);
            buf.writeBytes(chunk);
            if (!r.cont()) {
                accumulated = ByteBuffer.wrap(buf.toByteArray());
                return r;
            }
            if (r.transit()) {
                throw new IscsiProtocolException(context + ": login response with both C and T bits");
            }
            send(false, csg, nsg, new byte[0]);
        }
    }

    private void send(boolean transit, int csg, int nsg, byte[] text) throws IOException {
        ch.write(new LoginRequest(transit, false, csg, nsg, 0, 0, isid, 0, itt, 0, cmdSn,
                haveStatSn ? expStatSn : 0, ByteBuffer.wrap(text)));
    }

    private LoginResponse receive() throws IOException {
        Pdu p;
        try {
            p = ch.read();
        } catch (PduException e) {
            throw new IscsiProtocolException(context + ": bad PDU during login: " + e.getMessage(), e);
        }
        if (!(p instanceof LoginResponse r)) {
            throw new IscsiProtocolException(context + ": expected a Login Response, got opcode 0x"
                    + Integer.toHexString(p.opcode()));
        }
        if (r.statusClass() != 0) {
            throw new LoginException(r.statusClass(), r.statusDetail(), context);
        }
        if (r.itt() != itt) {
            throw new IscsiProtocolException(context + ": login response for another task tag");
        }
        if (r.versionActive() != 0) {
            throw new IscsiProtocolException(context + ": target chose iSCSI version " + r.versionActive());
        }
        expStatSn = r.statSn() + 1;
        haveStatSn = true;
        if (!SerialNumber.lessThan(r.maxCmdSn(), r.expCmdSn() - 1)) {
            expCmdSn = r.expCmdSn();
            maxCmdSn = r.maxCmdSn();
        }
        tsih = r.tsih();
        return r;
    }
}
