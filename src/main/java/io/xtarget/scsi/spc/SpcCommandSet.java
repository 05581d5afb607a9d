package io.xtarget.scsi.spc;

import static io.xtarget.scsi.CommandDescriptor.Flag.NO_LU;
import static io.xtarget.scsi.CommandDescriptor.Flag.SHARED_STATE;
import static io.xtarget.scsi.CommandDescriptor.Flag.UA_EXEMPT;
import static io.xtarget.scsi.spc.SpcOpcodes.*;

import io.xtarget.scsi.CdbUsage;
import io.xtarget.scsi.CommandDescriptor;
import io.xtarget.scsi.CommandHandler;
import io.xtarget.scsi.CommandSet;
import io.xtarget.scsi.MediumAccess;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiResult;
import java.util.EnumSet;
import java.util.Set;

/**
 * The SPC-4 primary commands and VPD pages 00h/80h/83h/86h. Every row says how the core treats
 * the command (MediumAccess, flags) and which CDB bits the handler evaluates (CDB USAGE DATA for
 * REPORT SUPPORTED OPERATION CODES).
 *
 * <p>Rows that change state every I_T nexus shares are flagged
 * {@link CommandDescriptor.Flag#SHARED_STATE}, so a read-only mapping refuses them: MODE SELECT
 * (every mode page is shared, SPC-4 7.5), RESERVE(6)/(10), and the PERSISTENT RESERVE OUT service
 * actions that reserve, release, clear or preempt (SPC-4 5.12). REGISTER and REGISTER AND IGNORE
 * EXISTING KEY only touch the sender's own key, and RELEASE(6)/(10) only the sender's own
 * reservation: they stay allowed.
 */
public final class SpcCommandSet implements CommandSet {
    private static final Set<CommandDescriptor.Flag> NONE = Set.of();
    private static final Set<CommandDescriptor.Flag> QUICK = EnumSet.of(CommandDescriptor.Flag.QUICK);
    /** INQUIRY, REPORT LUNS, REQUEST SENSE: no LU needed, no UA reported, allowed while sanitizing (SBC-4 4.11.1). */
    private static final Set<CommandDescriptor.Flag> NO_LU_UA = EnumSet.of(NO_LU, UA_EXEMPT, CommandDescriptor.Flag.QUICK,
            CommandDescriptor.Flag.ALLOWED_DURING_SANITIZE);
    private static final Set<CommandDescriptor.Flag> SHARED = EnumSet.of(SHARED_STATE);

    @Override
    public void register(OpcodeTable.Builder t) {
        // TEST UNIT READY reports NOT READY / MEDIUM NOT PRESENT while a removable medium is out.
        add(t, TEST_UNIT_READY, -1, "TEST UNIT READY", MediumAccess.STATUS,
                EnumSet.of(CommandDescriptor.Flag.NEEDS_MEDIUM, CommandDescriptor.Flag.QUICK),
                CdbUsage.of(TEST_UNIT_READY, 0, 0, 0, 0, 0), task -> ScsiResult.good());
        add(t, REQUEST_SENSE, -1, "REQUEST SENSE", MediumAccess.NONE, NO_LU_UA,
                CdbUsage.of(REQUEST_SENSE, 0x01, 0, 0, 0xFF, 0), RequestSense::execute);
        // INQUIRY: EVPD, PAGE CODE, ALLOCATION LENGTH; CMDDT (obsolete since SPC-3) is reserved
        add(t, INQUIRY, -1, "INQUIRY", MediumAccess.NONE, NO_LU_UA,
                CdbUsage.of(INQUIRY, 0x01, 0xFF, 0xFF, 0xFF, 0), Inquiry::execute);
        // MODE SELECT: PF (the page format is the SPC one whatever PF says); SP is reserved, nothing
        // can be saved. SPC-2 RESERVE/RELEASE: no third-party reservations or extents, so every
        // bit after the opcode is reserved (including the parameter list length of the 10-byte ones)
        add(t, MODE_SELECT_6, -1, "MODE SELECT(6)", MediumAccess.CONTROL, SHARED,
                CdbUsage.of(MODE_SELECT_6, 0x10, 0, 0, 0xFF, 0), ModeSelect::execute);
        add(t, RESERVE_6, -1, "RESERVE(6)", MediumAccess.NONE, SHARED,
                CdbUsage.of(RESERVE_6, 0, 0, 0, 0, 0), ReserveRelease::reserve);
        add(t, RELEASE_6, -1, "RELEASE(6)", MediumAccess.NONE, NONE,
                CdbUsage.of(RELEASE_6, 0, 0, 0, 0, 0), ReserveRelease::release);
        add(t, MODE_SENSE_6, -1, "MODE SENSE(6)", MediumAccess.CONTROL, QUICK,
                CdbUsage.of(MODE_SENSE_6, 0x08, 0xFF, 0xFF, 0xFF, 0), ModeSense::execute);
        add(t, MODE_SELECT_10, -1, "MODE SELECT(10)", MediumAccess.CONTROL, SHARED,
                CdbUsage.of(MODE_SELECT_10, 0x10, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0), ModeSelect::execute);
        add(t, RESERVE_10, -1, "RESERVE(10)", MediumAccess.NONE, SHARED,
                CdbUsage.of(RESERVE_10, 0, 0, 0, 0, 0, 0, 0, 0, 0), ReserveRelease::reserve);
        add(t, RELEASE_10, -1, "RELEASE(10)", MediumAccess.NONE, NONE,
                CdbUsage.of(RELEASE_10, 0, 0, 0, 0, 0, 0, 0, 0, 0), ReserveRelease::release);
        add(t, MODE_SENSE_10, -1, "MODE SENSE(10)", MediumAccess.CONTROL, QUICK,
                CdbUsage.of(MODE_SENSE_10, 0x18, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0xFF, 0), ModeSense::execute);

        // PERSISTENT RESERVE IN/OUT check reservations themselves (SPC-4 5.12.2): MediumAccess.NONE.
        // Rows with a service action carry its code in byte 1 of their usage data (SPC-4 6.35.3).
        String[] prIn = {"READ KEYS", "READ RESERVATION", "REPORT CAPABILITIES", "READ FULL STATUS"};
        for (int sa = 0; sa < prIn.length; sa++) {
            add(t, PERSISTENT_RESERVE_IN, sa, "PERSISTENT RESERVE IN / " + prIn[sa], MediumAccess.NONE, QUICK,
                    CdbUsage.of(PERSISTENT_RESERVE_IN, sa, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0),
                    PersistentReserveIn::execute);
        }
        // Only REGISTER and REGISTER AND IGNORE EXISTING KEY (SA 0, 6) leave other nexuses alone.
        String[] prOut = {"REGISTER", "RESERVE", "RELEASE", "CLEAR", "PREEMPT", "PREEMPT AND ABORT",
                "REGISTER AND IGNORE EXISTING KEY"};
        for (int sa = 0; sa < prOut.length; sa++) {
            boolean ownKeyOnly = sa == PersistentReserveOut.REGISTER || sa == PersistentReserveOut.REGISTER_AND_IGNORE;
            add(t, PERSISTENT_RESERVE_OUT, sa, "PERSISTENT RESERVE OUT / " + prOut[sa], MediumAccess.NONE,
                    ownKeyOnly ? NONE : SHARED,
                    CdbUsage.of(PERSISTENT_RESERVE_OUT, sa, 0xFF, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0),
                    PersistentReserveOut::execute);
        }

        add(t, REPORT_LUNS, -1, "REPORT LUNS", MediumAccess.NONE, NO_LU_UA,
                CdbUsage.of(REPORT_LUNS, 0, 0xFF, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0), ReportLuns::execute);
        add(t, MAINTENANCE_IN, SA_REPORT_TARGET_PORT_GROUPS, "REPORT TARGET PORT GROUPS", MediumAccess.STATUS,
                QUICK, CdbUsage.of(MAINTENANCE_IN, 0xE0 | SA_REPORT_TARGET_PORT_GROUPS,
                        0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0),
                ReportTargetPortGroups::execute);
        // SET TARGET PORT GROUPS changes the access states every I_T nexus sees: a shared state
        add(t, MAINTENANCE_OUT, SA_SET_TARGET_PORT_GROUPS, "SET TARGET PORT GROUPS", MediumAccess.CONTROL, SHARED,
                CdbUsage.of(MAINTENANCE_OUT, SA_SET_TARGET_PORT_GROUPS, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0),
                SetTargetPortGroups::execute);
        add(t, MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPERATION_CODES, "REPORT SUPPORTED OPERATION CODES",
                MediumAccess.CONTROL, QUICK,
                CdbUsage.of(MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPERATION_CODES,
                        0x87, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0),
                ReportSupportedOpcodes::execute);
        add(t, MAINTENANCE_IN, SA_REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS,
                "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS", MediumAccess.CONTROL, QUICK,
                CdbUsage.of(MAINTENANCE_IN, SA_REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS,
                        0x80, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0),
                ReportTaskManagementFunctions::execute);

        t.addVpdPage(0x00, VpdPages::supportedPages);
        t.addVpdPage(0x80, VpdPages::unitSerial);
        t.addVpdPage(0x83, VpdPages::deviceIdentification);
        t.addVpdPage(0x86, VpdPages::extendedInquiry);
    }

    private static void add(OpcodeTable.Builder t, int opcode, int sa, String name, MediumAccess access,
            Set<CommandDescriptor.Flag> flags, byte[] usage, CommandHandler handler) {
        t.add(new CommandDescriptor(opcode, sa, name, access, flags, usage, handler));
    }
}
