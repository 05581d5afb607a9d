package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.TextRequest;
import io.xtarget.iscsi.pdu.TextResponse;
import java.nio.ByteBuffer;

/**
 * Text Requests in full feature phase (RFC 7143 11.10, 11.11): SendTargets, keys negotiated
 * after login, and responses longer than the initiator's MaxRecvDataSegmentLength sent in
 * pieces ({@link TextContinuation}).
 */
final class TextExchange {
    private final TextContinuation continuation = new TextContinuation();

    /**
     * Answers one Text Request. {@code badTtt} runs for a continuation nobody asked for,
     * {@code protocolError} for text that breaks the key rules (both answer with a Reject PDU).
     */
    void answer(TextRequest t, Session session, IscsiServer server, Outbox outbox, Runnable badTtt,
            Runnable protocolError) {
        ByteBuffer chunk;
        if (t.ttt() != Connection.RESERVED_TAG) {
            chunk = continuation.next(t.ttt());
            if (chunk == null) {
                badTtt.run();
                return;
            }
        } else {
            TextParameters keys = TextParameters.parse(t.data());
            TextNegotiation.Result r = TextNegotiation.answer(keys, session.params);
            if (r.protocolError()) {
                protocolError.run(); // RFC 7143 6.2, 7.11, 11.17.1: Reject, nothing changes
                return;
            }
            session.params = r.updated(); // declarative keys take effect at once (RFC 7143 13.12)
            byte[] targets = keys.contains("SendTargets")
                    ? Discovery.sendTargets(server, session, keys.get("SendTargets")) : null;
            chunk = continuation.start(TextNegotiation.body(targets, r.answer()),
                    session.params.maxSendDataSegmentLength());
        }
        boolean more = continuation.hasMore();
        int ttt = more ? continuation.ttt() : Connection.RESERVED_TAG;
        outbox.send(new TextResponse(!more, more, 0, t.itt(), ttt, 0, 0, 0, chunk), Outbox.StatSn.ADVANCE, null);
    }
}
