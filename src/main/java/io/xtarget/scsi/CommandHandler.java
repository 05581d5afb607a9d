package io.xtarget.scsi;

import java.io.IOException;

/** Executes one command. Errors are thrown as {@link ScsiException}; I/O errors as IOException. */
@FunctionalInterface
public interface CommandHandler {
    ScsiResult execute(ScsiTask task) throws ScsiException, IOException;
}
