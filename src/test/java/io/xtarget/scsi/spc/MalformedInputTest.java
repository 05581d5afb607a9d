package io.xtarget.scsi.spc;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.CommandDescriptor;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.SenseKey;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every SPC handler is total: garbage CDBs and parameter lists get sense data, never an internal failure. */
class MalformedInputTest {
    private final CoreFixture f = new CoreFixture();

    @Test
    void randomCdbsAndParameterListsNeverCauseAnInternalFailure() {
        Random rnd = new Random(42);
        for (CommandDescriptor d : f.core.opcodes().all()) {
            for (int i = 0; i < 300; i++) {
                int[] cdb = new int[16];
                for (int j = 1; j < cdb.length; j++) {
                    cdb[j] = rnd.nextInt(256);
                }
                cdb[0] = d.opcode();
                if (d.hasServiceAction()) {
                    cdb[1] = (cdb[1] & 0xE0) | d.serviceAction();
                }
                byte[] data = new byte[rnd.nextInt(64)];
                rnd.nextBytes(data);
                ScsiResult r = f.run(rnd.nextBoolean() ? f.a : f.b, rnd.nextInt(3), cdb, data);
                if (r.status() == ScsiStatus.CHECK_CONDITION) {
                    assertThat(r.sense().key()).as(d.name()).isNotEqualTo(SenseKey.HARDWARE_ERROR);
                }
            }
        }
    }

    @Test
    void shortDataOutIsParameterListLengthError() {
        assertThat(f.run(f.a, 0, new int[] {0x15, 0x10, 0, 0, 16, 0}, new byte[4]).sense().asc()).isEqualTo(0x1A);
        assertThat(f.run(f.a, 0, new int[] {0x5F, 0, 0, 0, 0, 0, 0, 0, 24, 0}, null).sense().asc()).isEqualTo(0x1A);
    }
}
