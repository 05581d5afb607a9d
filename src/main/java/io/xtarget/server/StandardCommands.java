package io.xtarget.server;

import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.copy.CopyCommandSet;
import io.xtarget.scsi.sbc.SbcCommandSet;
import io.xtarget.scsi.spc.SpcCommandSet;

/** The opcode table every xtarget LU serves: SPC-4, SBC-3 and third-party copy. */
public final class StandardCommands {
    private StandardCommands() {}

    public static OpcodeTable table(CopyCommandSet copy) {
        return OpcodeTable.builder().addAll(new SpcCommandSet()).addAll(new SbcCommandSet()).addAll(copy).build();
    }
}
