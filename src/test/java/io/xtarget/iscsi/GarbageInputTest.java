package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.pdu.LoginRequest;
import io.xtarget.iscsi.pdu.PduCodec;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random and hostile bytes at a live fabric: every connection must end in a response or a clean
 * close within a bound, and the server must keep serving afterwards.
 */
class GarbageInputTest {
    private static FabricFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new FabricFixture(false);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    /** Sends bytes, then reads until the server closes or goes quiet; returns bytes read. */
    private static int poke(byte[] bytes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", fixture.port())) {
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            int total = 0;
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("server neither answered nor closed within 2 s", e);
            } catch (java.net.SocketException e) {
                // a reset is a close too: the server dropped the connection with our bytes unread
            }
            return total;
        }
    }

    @Test
    void randomBytesGetACleanClose() throws Exception {
        Random r = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[r.nextInt(300)];
            r.nextBytes(b);
            poke(b);
        }
        assertThat(loginWorks()).isTrue();
    }

    @Test
    void aSilentConnectionIsClosedAtTheLoginDeadline() throws Exception {
        try (FabricFixture f = new FabricFixture(false, new IscsiServer.Options(4, 30, 30, 1));
                Socket s = new Socket("127.0.0.1", f.port())) {
            s.setSoTimeout(5000);
            long t0 = System.nanoTime();
            assertThat(s.getInputStream().read()).isEqualTo(-1); // closed by the target, no bytes
            assertThat(System.nanoTime() - t0).isLessThan(4_000_000_000L);
        }
    }

    @Test
    void hugeDeclaredLengthsAreRefusedWithoutAllocation() throws Exception {
        byte[] bhs = new byte[48];
        bhs[0] = 0x43; // login request
        bhs[4] = (byte) 0xFF; // 1020 bytes of AHS
        bhs[5] = (byte) 0xFF; // data segment of 16 MiB
        bhs[6] = (byte) 0xFF;
        bhs[7] = (byte) 0xFF;
        poke(bhs);
        assertThat(loginWorks()).isTrue();
    }

    @Test
    void loginWithoutInitiatorNameIsRefusedWithStatus() throws Exception {
        LoginRequest lr = new LoginRequest(true, false, 1, 3, 0, 0, 0x1234L, 0, 1, 0, 0, 0,
                ByteBuffer.wrap("TargetName=iqn.x\0".getBytes()));
        byte[] h = PduCodec.header(lr);
        byte[] data = new byte[(lr.data().remaining() + 3) & ~3];
        lr.data().duplicate().get(data, 0, lr.data().remaining());
        byte[] all = new byte[48 + data.length];
        System.arraycopy(h, 0, all, 0, 48);
        System.arraycopy(data, 0, all, 48, data.length);
        try (Socket s = new Socket("127.0.0.1", fixture.port())) {
            s.setSoTimeout(2000);
            s.getOutputStream().write(all);
            byte[] resp = s.getInputStream().readNBytes(48);
            assertThat(resp[0] & 0x3F).isEqualTo(0x23);
            assertThat(resp[36]).isEqualTo((byte) 0x02); // initiator error
            assertThat(resp[37]).isEqualTo((byte) 0x07); // missing parameter
        }
    }

    private static boolean loginWorks() throws Exception {
        String body = "InitiatorName=iqn.2026-11.io.xtarget:probe\0TargetName=" + FabricFixture.IQN
                + "\0SessionType=Normal\0AuthMethod=None\0";
        LoginRequest lr = new LoginRequest(true, false, 0, 3, 0, 0, 0x99L, 0, 1, 0, 0, 0,
                ByteBuffer.wrap(body.getBytes()));
        byte[] h = PduCodec.header(lr);
        byte[] data = new byte[(body.length() + 3) & ~3];
        System.arraycopy(body.getBytes(), 0, data, 0, body.length());
        try (Socket s = new Socket("127.0.0.1", fixture.port())) {
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write(h);
            out.write(data);
            byte[] resp = s.getInputStream().readNBytes(48);
            return (resp[0] & 0x3F) == 0x23 && resp[36] == 0 && (resp[1] & 0x80) != 0;
        }
    }
}
