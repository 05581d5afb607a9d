package io.xtarget.iscsi;

import io.xtarget.iscsi.NegotiationKey.Phase;
import io.xtarget.iscsi.pdu.Bhs;
import io.xtarget.iscsi.pdu.LoginRequest;
import io.xtarget.iscsi.pdu.LoginResponse;
import io.xtarget.iscsi.pdu.Opcode;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduChannel;
import io.xtarget.iscsi.pdu.PduCodec;
import io.xtarget.iscsi.pdu.PduException;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The login phase of one connection (RFC 7143 6.3): security stage (AuthMethod=None, or CHAP when
 * the target has secrets for this initiator, see {@link ChapAuthenticator}), operational stage, then
 * full feature phase. Every key of every request is judged against the key table
 * ({@link NegotiationKeys}) by {@link Negotiation}, which answers all keys but AuthMethod and
 * CHAP_*; a key that breaks the table's rules fails the login with 0200 (initiator error). Looks up the target on this portal, enforces its
 * ACL, and registers the session (reinstating an older one with the same ISID).
 *
 * <p>Discovery sessions use the server's discovery secrets ({@link IscsiServer#discoveryAuth}) the
 * same way: with them, the login must complete CHAP (RFC 7143 12.1) or ends with 0201 (11.13.5)
 * before any SendTargets; without them the target answers AuthMethod=None and refuses CHAP-only
 * offers, as for a target without secrets.
 *
 * <p>Guessing is throttled ({@link LoginThrottle}; the security stage's keys and the throttle are
 * {@link LoginSecurity}'s): a login refused with 0201 where the target required CHAP is logged
 * (WARN) and counted against the initiator name and the source address.
 * Once the whole first request is in (the InitiatorName known), and before the target answers
 * it, the login waits out the back-off of its name and address on this (virtual) thread; a login
 * whose turn would come too late for its login timeout is refused at once with 0301 (Service
 * Unavailable, RFC 7143 11.13.5: "the initiator may retry later"), which tells nothing about
 * any secret.
 *
 * <p>A request PDU whose data segment exceeds the login's MaxRecvDataSegmentLength (8192, RFC
 * 7143 13.12; longer text must use Continue PDUs, 6.3.4) is dropped unread by the framer and
 * answered with 0201 during a CHAP exchange (the response it should have carried is not valid),
 * else with 0200 (initiator error).
 */
final class Login {
    private static final int STAGE_SECURITY = 0;
    private static final int STAGE_FULL_FEATURE = 3;
    /** Login text larger than this (all PDUs of one request together) is refused. */
    private static final int MAX_LOGIN_TEXT = 65536;

    private final IscsiServer server;
    private final Portal portal;
    private final PduChannel channel;
    private final LoginSecurity security;
    /** Created once the first request named the session type. */
    private Negotiation negotiation;

    private int statSn;
    private int expCmdSn;
    private boolean first = true;
    private long isid;
    private int tsih;
    private int stage = -1;
    private String initiatorName;
    private boolean discovery;
    private Target target;
    private TargetPort port;
    private LunMap lunMap;
    private String refusal;

    Login(IscsiServer server, Portal portal, PduChannel channel, int initialStatSn, String peer, long deadline) {
        this.server = server;
        this.portal = portal;
        this.channel = channel;
        this.statSn = initialStatSn;
        this.security = new LoginSecurity(server.loginThrottle(), peer, deadline,
                server.options().loginTimeoutSeconds() * 1_000_000_000L);
    }

    /** Why the last login failed, for the log. */
    String refusal() {
        return refusal;
    }

    /** The login was refused by the throttle alone (logged quietly: such refusals are not rate limited). */
    boolean refusedByThrottle() {
        return security.refusedByThrottle();
    }

    int statSn() {
        return statSn;
    }

    /** Runs the login to completion: the established session, or null when it was refused. */
    Session run(LoginRequest firstPdu) throws IOException, PduException {
        LoginRequest req = firstPdu;
        while (true) {
            // Gather a request split over several PDUs (C bit, RFC 7143 6.3.4).
            ByteBuffer text = req.data();
            LoginRequest head = req;
            while (req.cont()) {
                sendEmpty(req);
                LoginRequest lr = next(head);
                if (lr == null) {
                    return null;
                }
                if (text.remaining() + lr.data().remaining() > MAX_LOGIN_TEXT) {
                    return refuse(head, LoginStatus.INVALID_REQUEST, "login text too long");
                }
                ByteBuffer joined = ByteBuffer.allocate(text.remaining() + lr.data().remaining());
                joined.put(text.duplicate()).put(lr.data().duplicate()).flip();
                text = joined;
                req = lr;
            }
            Outcome o = step(req, TextParameters.parse(text));
            if (o.session != null || o.failed) {
                return o.session;
            }
            req = next(req);
            if (req == null) {
                return null;
            }
        }
    }

    /** The next request of the login, or null once the login was refused for what came instead. */
    private LoginRequest next(LoginRequest previous) throws IOException, PduException {
        Pdu next;
        try {
            next = channel.read();
        } catch (PduException e) {
            refuseOversized(e);
            return null;
        }
        if (!(next instanceof LoginRequest lr)) {
            refuse(previous, LoginStatus.INVALID_REQUEST, "non-login PDU during login");
            return null;
        }
        return lr;
    }

    /**
     * Answers a request the framer dropped because its data segment was over the bound (see the
     * class comment); rethrows any other unreadable PDU (the connection then closes).
     */
    void refuseOversized(PduException e) throws IOException, PduException {
        byte[] h = e.header();
        if (e.fatal() || h == null || new Bhs(h).opcode() != Opcode.LOGIN_REQUEST) {
            throw e;
        }
        LoginRequest req = (LoginRequest) PduCodec.decode(h, new byte[0], Pdu.EMPTY);
        boolean inChap = security.chapPending() && stage == STAGE_SECURITY;
        refuse(req, inChap ? LoginStatus.AUTHENTICATION_FAILURE : LoginStatus.INITIATOR_ERROR,
                "login request " + e.getMessage() + "; longer text must be split over Continue PDUs");
    }

    private record Outcome(Session session, boolean failed) {}

    private static final Outcome CONTINUE = new Outcome(null, false);
    private static final Outcome FAILED = new Outcome(null, true);

    private Outcome step(LoginRequest req, TextParameters keys) throws IOException {
        if (first) {
            first = false;
            isid = req.isid();
            tsih = req.tsih();
            expCmdSn = req.cmdSn();
            if (req.versionMin() > 0) {
                refuse(req, LoginStatus.UNSUPPORTED_VERSION, "version " + req.versionMin());
                return FAILED;
            }
            String throttled = security.admit(keys.get("InitiatorName"));
            if (throttled != null) {
                refuse(req, LoginStatus.SERVICE_UNAVAILABLE, throttled);
                return FAILED;
            }
            if (tsih != 0) {
                // MaxConnections=1: a login that names an existing session adds a connection.
                refuse(req, server.sessions().exists(tsih) ? LoginStatus.TOO_MANY_CONNECTIONS
                        : LoginStatus.SESSION_DOES_NOT_EXIST, "connection for tsih " + tsih);
                return FAILED;
            }
            LoginStatus s = identify(keys);
            if (s != LoginStatus.SUCCESS) {
                refuse(req, s, refusal);
                return FAILED;
            }
            negotiation = new Negotiation(tsih == 0, discovery);
        } else if (req.isid() != isid || req.tsih() != tsih) {
            refuse(req, LoginStatus.INVALID_REQUEST, "ISID/TSIH changed during login");
            return FAILED;
        }
        if (keys.isMalformed() || !keys.duplicates().isEmpty()) {
            refuse(req, LoginStatus.INITIATOR_ERROR, "malformed login keys");
            return FAILED;
        }
        if (stage >= 0 && req.csg() < stage || req.csg() == 2 || req.csg() == STAGE_FULL_FEATURE) {
            refuse(req, LoginStatus.INVALID_REQUEST, "invalid stage " + req.csg());
            return FAILED;
        }
        stage = req.csg();
        TextParameters answer = new TextParameters();
        if (stage != STAGE_SECURITY && security.chapPending()) {
            refuse(req, LoginStatus.AUTHENTICATION_FAILURE, "CHAP required, login left the security stage without it");
            return FAILED;
        }
        String violation = negotiation.answer(keys, stage == STAGE_SECURITY ? Phase.SECURITY : Phase.OPERATIONAL,
                answer);
        if (violation != null) {
            refuse(req, LoginStatus.INITIATOR_ERROR, violation);
            return FAILED;
        }
        if (stage == STAGE_SECURITY) {
            String why = security.answer(keys, answer);
            if (why != null) {
                refuse(req, LoginStatus.AUTHENTICATION_FAILURE, why);
                return FAILED;
            }
        }
        if (firstResponseOfNormalSession() && !discovery) {
            answer.put("TargetPortalGroupTag", Integer.toString(port.portalGroupTag()));
        }
        boolean transit = req.transit();
        int nsg = req.nsg();
        if (transit && (nsg <= stage || nsg == 2)) {
            refuse(req, LoginStatus.INVALID_REQUEST, "invalid next stage " + nsg);
            return FAILED;
        }
        if (transit && security.chapPending()) {
            // RFC 7143 6.3: a target not ready to leave the stage answers T=0; we stay in the
            // security stage until the CHAP exchange is complete.
            transit = false;
        }
        if (!transit) {
            send(req, false, stage, 0, 0, answer, LoginStatus.SUCCESS);
            return CONTINUE;
        }
        if (nsg != STAGE_FULL_FEATURE) {
            send(req, true, stage, nsg, 0, answer, LoginStatus.SUCCESS);
            stage = nsg;
            return CONTINUE;
        }
        security.succeeded(initiatorName);
        SessionParams params = negotiation.result();
        Session session = server.sessions().establish(discovery, initiatorName, isid, target, port, lunMap, params,
                expCmdSn);
        tsih = session.tsih;
        send(req, true, stage, STAGE_FULL_FEATURE, session.tsih, answer, LoginStatus.SUCCESS);
        return new Outcome(session, false);
    }

    private boolean tpgtSent;

    /** True once: TargetPortalGroupTag goes in the first response of a normal session (RFC 7143 13.9). */
    private boolean firstResponseOfNormalSession() {
        if (tpgtSent || port == null) {
            return false;
        }
        tpgtSent = true;
        return true;
    }

    /** Checks the identity keys of the first request: initiator, session type, target and ACL. */
    private LoginStatus identify(TextParameters keys) {
        String in = keys.get("InitiatorName");
        if (in == null || in.isEmpty()) {
            refusal = "no InitiatorName";
            return LoginStatus.MISSING_PARAMETER;
        }
        initiatorName = in.toLowerCase(Locale.ROOT);
        String type = keys.get("SessionType");
        if (type != null && !type.equals("Normal") && !type.equals("Discovery")) {
            refusal = "bad SessionType " + type;
            return LoginStatus.INITIATOR_ERROR;
        }
        discovery = "Discovery".equals(type);
        if (discovery) {
            security.require(server.discoveryAuth());
            return LoginStatus.SUCCESS;
        }
        String tn = keys.get("TargetName");
        if (tn == null || tn.isEmpty()) {
            refusal = "no TargetName";
            return LoginStatus.MISSING_PARAMETER;
        }
        IscsiAdmissions.Admission admission = server.admission(tn, initiatorName);
        target = admission == null ? null : admission.target();
        port = target == null ? null : portal.portOf(target);
        if (target == null || port == null) {
            refusal = "unknown target " + tn + " on portal " + portal;
            return LoginStatus.NOT_FOUND;
        }
        lunMap = admission.lunMap();
        if (lunMap == null) {
            refusal = "initiator " + initiatorName + " not in the ACL of " + target.name();
            return LoginStatus.AUTHORIZATION_FAILURE;
        }
        security.require(admission.chap());
        return LoginStatus.SUCCESS;
    }

    private Session refuse(LoginRequest req, LoginStatus status, String why) throws IOException {
        refusal = why;
        if (status == LoginStatus.AUTHENTICATION_FAILURE) {
            security.failed(initiatorName, target == null ? null : target.name(), why);
        }
        send(req, false, req.csg(), 0, 0, new TextParameters(), status);
        return null;
    }

    private void sendEmpty(LoginRequest req) throws IOException {
        send(req, false, req.csg(), 0, 0, new TextParameters(), LoginStatus.SUCCESS);
    }

    private void send(LoginRequest req, boolean transit, int csg, int nsg, int tsihOut, TextParameters keys,
            LoginStatus status) throws IOException {
        LoginResponse r = new LoginResponse(transit, false, csg & 3, nsg & 3, 0, 0, req.isid(), tsihOut, req.itt(),
                statSn++, expCmdSn, expCmdSn + Session.QUEUE_DEPTH - 1, status.statusClass(), status.detail(),
                ByteBuffer.wrap(keys.encode()));
        channel.write(r);
    }

    String initiatorName() {
        return initiatorName;
    }
}
