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

    /** Answers one Text Request; {@code badTtt} runs for a continuation nobody asked for. */
    void answer(TextRequest t, Session session, IscsiServer server, Outbox outbox, Runnable badTtt) {
        ByteBuffer chunk;
        if (t.ttt() != Connection.RESERVED_TAG) {
            chunk = continuation.next(t.ttt());
            if (chunk == null) {
                badTtt.run();
                return;
            }
        } else {
            TextParameters keys = TextParameters.parse(t.data());
            TextParameters answer = new TextParameters();
            byte[] body;
            if (keys.contains("SendTargets")) {
                body = Discovery.sendTargets(server, session, keys.get("SendTargets"));
            } else {
                keys.asMap().keySet().forEach(k -> answer.put(k, "NotUnderstood"));
                body = answer.encode();
            }
            chunk = continuation.start(body, session.params.maxSendDataSegmentLength());
        }
        boolean more = continuation.hasMore();
        int ttt = more ? continuation.ttt() : Connection.RESERVED_TAG;
        outbox.send(new TextResponse(!more, more, 0, t.itt(), ttt, 0, 0, 0, chunk), Outbox.StatSn.ADVANCE, null);
    }
}
