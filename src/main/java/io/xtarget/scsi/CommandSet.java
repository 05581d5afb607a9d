package io.xtarget.scsi;

/** A family of commands (SPC, SBC, third-party copy) that registers its rows in the opcode table. */
public interface CommandSet {
    void register(OpcodeTable.Builder table);
}
