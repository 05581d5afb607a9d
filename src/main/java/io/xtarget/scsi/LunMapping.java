package io.xtarget.scsi;

/**
 * One row of a LUN map: the LUN number an initiator sees and the logical unit behind it.
 *
 * @param lun the LUN as the initiator addresses it (0..16383, peripheral/flat addressing)
 * @param unit the logical unit
 * @param readOnly the host may read but change nothing other hosts see: through this mapping every
 *     command that changes user data ({@link MediumAccess#WRITE}: WRITE, WRITE SAME, UNMAP, ...;
 *     FORMAT UNIT and SANITIZE when they are added) and every command that changes state all I_T
 *     nexuses share ({@link CommandDescriptor.Flag#SHARED_STATE}: RESERVE(6)/(10), PERSISTENT
 *     RESERVE OUT RESERVE, RELEASE, CLEAR, PREEMPT, PREEMPT AND ABORT (and REGISTER AND MOVE if it
 *     is added), MODE SELECT, START STOP UNIT that loads or ejects; WRITE BUFFER when it is added)
 *     fails with DATA PROTECT / WRITE PROTECTED (27h/00h) and changes nothing; so does an EXTENDED
 *     COPY to an LU the initiator reaches only read-only. The core decides from the opcode table
 *     ({@link CommandDescriptor#refusedReadOnly}), so a new command gets a verdict with its row.
 *     Allowed on purpose: PERSISTENT RESERVE OUT REGISTER and REGISTER AND IGNORE EXISTING KEY
 *     (they only add, change or remove this nexus's own key), RELEASE(6)/(10) (only the sender's
 *     own reservation), PREVENT ALLOW MEDIUM REMOVAL (per I_T nexus, ends with it), START STOP UNIT
 *     without LOEJ (the unit stays ready for everybody)
 */
public record LunMapping(int lun, LogicalUnit unit, boolean readOnly) {}
