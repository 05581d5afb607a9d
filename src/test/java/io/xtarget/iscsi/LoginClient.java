package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.pdu.Chap;
import io.xtarget.iscsi.pdu.LoginRequest;
import io.xtarget.iscsi.pdu.LoginResponse;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduChannel;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A raw login connection for tests that drive the login phase request by request (RFC 7143 6):
 * each {@link #send} is one Login Request (TSIH 0, ITT 1, CID 0, CmdSN 1, ExpStatSN 0) with the
 * given stages and keys, and the Login Response that answers it is kept in
 * {@link #last}, its keys in {@link #keys}. Every answer is asserted to be a Login Response.
 * Tests add their own login steps by extending it.
 */
public class LoginClient implements AutoCloseable {
    public final SocketChannel socket;
    public final PduChannel ch;
    private final long isid;
    /** The last Login Response, or null before the first {@link #send}. */
    public LoginResponse last;
    /** The keys of {@link #last}. */
    public TextParameters keys;

    /**
     * Connects to a portal.
     *
     * @param isid the 48-bit ISID every request carries
     */
    public LoginClient(SocketAddress portal, long isid) throws IOException {
        socket = SocketChannel.open(portal);
        ch = new PduChannel(socket);
        this.isid = isid;
    }

    /**
     * Sends one Login Request with these key=value pairs and reads its answer.
     *
     * @param csg the current stage (0 security, 1 operational)
     * @param nsg the next stage (1 operational, 3 full feature phase), meaningful with {@code transit}
     * @param kv keys and values, alternating
     */
    public LoginClient send(boolean transit, int csg, int nsg, String... kv) throws Exception {
        last = exchange(ch, isid, transit, csg, nsg, kv);
        keys = TextParameters.parse(last.data());
        return this;
    }

    /** The status of {@link #last}: class and detail as 0xCCDD. */
    public int status() {
        return status(last);
    }

    /** The CHAP_R answering the CHAP_I and CHAP_C of {@link #last} with {@code secret} (MD5, RFC 1994). */
    public byte[] response(String secret) {
        return Chap.response(Chap.decodeIdentifier(keys.get("CHAP_I")), secret,
                Chap.decodeBinary(keys.get("CHAP_C")));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * One Login Request on {@code ch} with these key=value pairs (alternating in {@code kv}), and
     * the Login Response that answers it.
     */
    public static LoginResponse exchange(PduChannel ch, long isid, boolean transit, int csg, int nsg, String... kv)
            throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            sb.append(kv[i]).append('=').append(kv[i + 1]).append('\0');
        }
        ch.write(new LoginRequest(transit, false, csg, nsg, 0, 0, isid, 0, 1, 0, 1, 0,
                ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8))));
        Pdu p = ch.read();
        assertThat(p).isInstanceOf(LoginResponse.class);
        return (LoginResponse) p;
    }

    /** A Login Response's status: class and detail as 0xCCDD. */
    public static int status(LoginResponse r) {
        return r.statusClass() << 8 | r.statusDetail();
    }
}
