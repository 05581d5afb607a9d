package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Address translation and the mapping of regions passed as file descriptors. */
class GuestMemoryTest {
    @Test
    void mapsRegionsFromADescriptorAtTheirOffsetsAndTranslatesBothAddressKinds() throws Exception {
        int fd = UnixFds.memfd("ram", 3 << 20);
        try (GuestRam front = new GuestRam(fd, 3 << 20)) {
            front.ram.set(ValueLayout.JAVA_LONG, (2 << 20) + 8, 0x1234L);
            // low 1 MiB at guest 0, the rest at guest 4 GiB from file offset 1 MiB (a q35-like split)
            GuestMemory m = GuestMemory.map(List.of(
                    new GuestMemory.RegionSpec(0, 1 << 20, 0x7f00_0000_0000L, 0),
                    new GuestMemory.RegionSpec(1L << 32, 2 << 20, 0x7f00_0010_0000L, 1 << 20)), List.of(fd, fd));
            assertThat(m.guest((1L << 32) + (1 << 20) + 8, 8).get(ValueLayout.JAVA_LONG, 0)).isEqualTo(0x1234L);
            assertThat(m.user(0x7f00_0010_0000L + (1 << 20) + 8, 8).get(ValueLayout.JAVA_LONG, 0)).isEqualTo(0x1234L);
            m.guest(0, 8).set(ValueLayout.JAVA_LONG, 0, 99L);
            assertThat(front.ram.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(99L); // shared, not copied
            assertThatThrownBy(() -> m.guest((1 << 20) - 4, 8)).isInstanceOf(DeviceException.class);
            assertThatThrownBy(() -> m.guest((1L << 32) - 8, 8)).isInstanceOf(DeviceException.class);
            assertThatThrownBy(() -> m.guest(-1L, 2)).isInstanceOf(DeviceException.class);
            assertThatThrownBy(() -> m.user(0x7f00_0000_0000L - 1, 2)).isInstanceOf(DeviceException.class);
            assertThat(m.acquire()).isTrue();
            m.release();
            m.release(); // the last reference unmaps
            assertThatThrownBy(() -> m.guest(0, 8).get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
            assertThat(m.acquire()).isFalse();
        } finally {
            UnixFds.closeQuietly(fd);
        }
    }

    @Test
    void refusesRegionsBeyondTheirFileOrWrapping() throws Exception {
        int fd = UnixFds.memfd("ram", 1 << 20);
        try {
            assertThatThrownBy(() -> GuestMemory.map(List.of(new GuestMemory.RegionSpec(0, 2 << 20, 0, 0)), List.of(fd)))
                    .hasMessageContaining("beyond its file");
            assertThatThrownBy(() -> GuestMemory.map(List.of(new GuestMemory.RegionSpec(0, 4096, 0, 1 << 20)), List.of(fd)))
                    .hasMessageContaining("beyond its file");
            assertThatThrownBy(() -> GuestMemory.map(List.of(new GuestMemory.RegionSpec(-4096, 8192, 0, 0)), List.of(fd)))
                    .hasMessageContaining("wraps");
            assertThatThrownBy(() -> GuestMemory.map(List.of(new GuestMemory.RegionSpec(0, 0, 0, 0)), List.of(fd)))
                    .hasMessageContaining("1 byte to 1 TiB");
            assertThatThrownBy(() -> GuestMemory.map(List.of(), List.of())).hasMessageContaining("1 to 8");
        } finally {
            UnixFds.closeQuietly(fd);
        }
    }

    @Test
    void aBufferRunsOnAcrossAdjoiningRegions() throws Exception {
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment lo = a.allocate(4096);
            MemorySegment hi = a.allocate(4096);
            GuestMemory m = GuestMemory.of(List.of(new GuestMemory.Region(0x10000, 4096, 0, lo),
                    new GuestMemory.Region(0x11000, 4096, 4096, hi)));
            List<MemorySegment> pieces = new ArrayList<>();
            m.guestPieces(0x10F00, 512, pieces);
            assertThat(pieces).extracting(MemorySegment::byteSize).containsExactly(256L, 256L);
            assertThatThrownBy(() -> m.guest(0x10F00, 512)).isInstanceOf(DeviceException.class); // one region only
            assertThatThrownBy(() -> m.guestPieces(0x11F00, 512, new ArrayList<>())).isInstanceOf(DeviceException.class);
        }
    }
}
