package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped example must stay valid. */
class ExampleConfigTest {
    @Test
    void exampleParses() throws Exception {
        ServerConfig c = ConfigParser.parse(Files.readString(Path.of("examples/xtarget.json")));
        assertThat(c.backstores()).extracting(b -> b.type()).containsExactly(
                BackstoreType.RAM, BackstoreType.FILE, BackstoreType.FILE, BackstoreType.BLOCK);
        assertThat(c.targets()).hasSize(2);
        assertThat(c.targets().get(1).acls()).hasSize(2);
    }
}
