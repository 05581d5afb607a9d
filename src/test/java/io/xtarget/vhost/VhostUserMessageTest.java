package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The vhost-user header and payload rules, without a socket. */
class VhostUserMessageTest {
    static ByteBuffer header(int request, int flags, int size) {
        return ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(request).putInt(flags).putInt(size).flip();
    }

    @Test
    void acceptsVersionOneRequestsWithBoundedPayloads() throws Exception {
        assertThat(VhostUserMessage.checkHeader(header(1, 0x1, 0))).isZero();
        assertThat(VhostUserMessage.checkHeader(header(5, 0x1 | 0x8, 264))).isEqualTo(264);
        assertThat(VhostUserMessage.checkHeader(header(24, 0x1, VhostUserMessage.MAX_PAYLOAD)))
                .isEqualTo(VhostUserMessage.MAX_PAYLOAD);
    }

    @Test
    void refusesOtherVersionsRepliesAndOversizedPayloads() {
        assertThatThrownBy(() -> VhostUserMessage.checkHeader(header(1, 0x0, 0))).hasMessageContaining("version 0");
        assertThatThrownBy(() -> VhostUserMessage.checkHeader(header(1, 0x2, 0))).hasMessageContaining("version 2");
        assertThatThrownBy(() -> VhostUserMessage.checkHeader(header(1, 0x5, 0))).hasMessageContaining("a reply");
        assertThatThrownBy(() -> VhostUserMessage.checkHeader(header(5, 0x1, VhostUserMessage.MAX_PAYLOAD + 1)))
                .hasMessageContaining("at most 4096");
        assertThatThrownBy(() -> VhostUserMessage.checkHeader(header(5, 0x1, -1)))
                .hasMessageContaining("4294967295");
    }

    @Test
    void payloadSizeAndDescriptorsAreChecked() throws Exception {
        VhostUserMessage m = new VhostUserMessage(VhostUserRequest.SET_FEATURES, 1, VhostUserMessage.u64(7), List.of());
        assertThat(m.u64()).isEqualTo(7);
        m.requireFds(0);
        assertThatThrownBy(() -> m.requireSize(4)).hasMessageContaining("VHOST_USER_SET_FEATURES with a payload of 8 bytes");
        assertThatThrownBy(() -> m.requireFds(1)).hasMessageContaining("0 file descriptor(s) (expected 1)");
        VhostUserMessage short4 = new VhostUserMessage(2, 1, new byte[4], List.of());
        assertThatThrownBy(short4::u64).isInstanceOf(DeviceException.class);
    }

    @Test
    void repliesCarryVersionOneAndTheReplyFlag() {
        ByteBuffer r = ByteBuffer.wrap(VhostUserMessage.reply(11, new byte[8])).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(r.getInt(0)).isEqualTo(11);
        assertThat(r.getInt(4)).isEqualTo(0x5);
        assertThat(r.getInt(8)).isEqualTo(8);
        assertThat(r.capacity()).isEqualTo(20);
    }

    @Test
    void namesRequests() {
        assertThat(VhostUserRequest.name(5)).isEqualTo("VHOST_USER_SET_MEM_TABLE");
        assertThat(VhostUserRequest.name(999)).isEqualTo("VHOST_USER_request 999");
        assertThat(VhostUserRequest.name(-1)).isEqualTo("VHOST_USER_request 4294967295");
    }

    @Test
    void configSpaceAnswers() throws Exception {
        VirtioScsiConfig c = new VirtioScsiConfig(2);
        ByteBuffer req = ByteBuffer.allocate(12 + 4).order(ByteOrder.LITTLE_ENDIAN).putInt(20).putInt(4).putInt(0);
        ByteBuffer a = ByteBuffer.wrap(c.answer(req.flip(), 16)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(a.getInt(12)).isEqualTo(96); // sense_size at offset 20
        ByteBuffer out = ByteBuffer.allocate(12 + 8).order(ByteOrder.LITTLE_ENDIAN).putInt(32).putInt(8).putInt(0);
        assertThat(c.answer(out.flip(), 20)).isEmpty(); // beyond the 36 bytes: the error answer
        ByteBuffer lies = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(36).putInt(0);
        assertThatThrownBy(() -> c.answer(lies.flip(), 12)).isInstanceOf(DeviceException.class);
    }
}
