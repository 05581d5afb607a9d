package io.xtarget.initiator;

import static io.xtarget.initiator.RequestTable.RESERVED_TAG;

import io.xtarget.initiator.TextKeys.Pair;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.TextRequest;
import io.xtarget.iscsi.pdu.TextResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One Text Request sequence in full feature phase (RFC 7143 11.10): the request, then empty
 * requests under the same ITT with the target's TTT until the final Text Response, the answer's
 * text gathered (at most 1 MiB); and the SendTargets answer read as targets (Appendix C).
 */
final class TextExchange {
    private static final int MAX_SEND_TARGETS_TEXT = 1 << 20;

    private final String description;
    private final RequestTable requests;
    private final SessionSender sender;
    private final Duration timeout;

    /** @param timeout how long each Text Response may take */
    TextExchange(String description, RequestTable requests, SessionSender sender, Duration timeout) {
        this.description = description;
        this.requests = requests;
        this.sender = sender;
        this.timeout = timeout;
    }

    /**
     * Sends {@code request} (key=value pairs, each NUL-terminated) and returns the whole answer.
     *
     * @throws IscsiProtocolException when the answer is longer than 1 MiB or not a Text Response
     * @throws IscsiTimeoutException when a Text Response does not come within the timeout
     */
    byte[] run(byte[] request) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int ttt = RESERVED_TAG;
        byte[] body = request;
        int itt = -1;
        while (true) {
            CompletableFuture<Pdu> f = itt == -1 ? requests.newRequest() : requests.newRequest(itt);
            int tag = requests.ittOf(f);
            itt = tag;
            int t = ttt;
            byte[] b = body;
            sender.sendNonImmediateRequest(cmdSn -> new TextRequest(false, true, false, 0, tag, t, cmdSn,
                    sender.expStatSn(), ByteBuffer.wrap(b)), f);
            TextResponse r = requests.expect(TextResponse.class, requests.await(f, timeout, "text request"),
                    "text request");
            if (all.size() + r.data().remaining() > MAX_SEND_TARGETS_TEXT) {
                throw new IscsiProtocolException(description + ": text response longer than "
                        + MAX_SEND_TARGETS_TEXT);
            }
            byte[] chunk = new byte[r.data().remaining()];
            r.data().duplicate().get(chunk);
            all.writeBytes(chunk);
            if (r.fin() && !r.cont()) {
                return all.toByteArray();
            }
            // RFC 7143 11.10.4: continue with an empty request carrying the target's TTT.
            ttt = r.ttt();
            body = new byte[0];
        }
    }

    /**
     * The targets of a SendTargets answer: each TargetName with the TargetAddresses after it.
     *
     * @throws TextKeys.TextFormatException when the text is not key=value pairs
     */
    static List<DiscoveredTarget> discoveredTargets(byte[] text) throws TextKeys.TextFormatException {
        List<DiscoveredTarget> out = new ArrayList<>();
        String name = null;
        List<String> addresses = new ArrayList<>();
        for (Pair p : TextKeys.decode(text)) {
            if (p.key().equals("TargetName")) {
                if (name != null) {
                    out.add(new DiscoveredTarget(name, addresses));
                }
                name = p.value();
                addresses = new ArrayList<>();
            } else if (p.key().equals("TargetAddress") && name != null) {
                addresses.add(p.value());
            }
        }
        if (name != null) {
            out.add(new DiscoveredTarget(name, addresses));
        }
        return out;
    }
}
