package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcOpcodes.*;

import io.xtarget.scsi.CdbUsage;
import io.xtarget.scsi.CommandDescriptor;
import io.xtarget.scsi.CommandHandler;
import io.xtarget.scsi.CommandSet;
import io.xtarget.scsi.MediumAccess;
import io.xtarget.scsi.OpcodeTable;
import java.util.Set;

/**
 * The SBC-3 command set of a thin-provisioned disk, removable or not: reads, writes, verifies,
 * cache control, provisioning (UNMAP, WRITE SAME, GET LBA STATUS), COMPARE AND WRITE, ORWRITE,
 * WRITE ATOMIC(16) (SBC-4), SANITIZE (OVERWRITE, BLOCK ERASE, EXIT FAILURE MODE), READ DEFECT
 * DATA (empty lists), LOG SENSE with the Logical Block Provisioning log page, and the VPD pages
 * 0xB0, 0xB1, 0xB2.
 *
 * <p>Medium access drives the core's write protection and reservation checks: commands that
 * change user data are WRITE; SYNCHRONIZE CACHE is READ so it works on a read-only mapping
 * (flushing changes no data), as are the unit controls, which change device state a reservation
 * protects but no user data. START STOP UNIT that loads or ejects the medium changes what every
 * I_T nexus sees, so it is {@link CommandDescriptor.Flag#SHARED_STATE} for those CDBs
 * ({@link UnitCommands#movesMedium}) and a read-only mapping refuses it.
 *
 * <p>Every READ and WRITE row needs a loaded medium (the core answers NOT READY / MEDIUM NOT
 * PRESENT while a removable one is ejected); READ CAPACITY needs one too, the unit controls do not.
 */
public final class SbcCommandSet implements CommandSet {
    private static final Set<CommandDescriptor.Flag> NEEDS_MEDIUM = Set.of(CommandDescriptor.Flag.NEEDS_MEDIUM);
    private static final Set<CommandDescriptor.Flag> NO_MEDIUM = Set.of(CommandDescriptor.Flag.NO_MEDIUM);
    private static final Set<CommandDescriptor.Flag> QUICK = Set.of(CommandDescriptor.Flag.QUICK);
    private static final Set<CommandDescriptor.Flag> QUICK_NEEDS_MEDIUM =
            Set.of(CommandDescriptor.Flag.QUICK, CommandDescriptor.Flag.NEEDS_MEDIUM);

    private final ReadWriteCommands readWrite = new ReadWriteCommands();
    private final AtomicWriteCommands atomic = new AtomicWriteCommands();
    private final ProvisioningCommands provisioning = new ProvisioningCommands();

    @Override
    public void register(OpcodeTable.Builder t) {
        int ff = 0xFF;
        // GROUP NUMBER (SBC-3 4.x, bits 4..0): accepted and ignored, there is no grouping function
        int g = 0x1F;
        // READ / WRITE: byte 1 = xxPROTECT, DPO, FUA. xxPROTECT is declared although only 000b is
        // valid (PROT_EN=0): the handler rejects it with the field pointer at the field's most
        // significant bit (SPC-4 4.5.2.4.2), which a per-bit check cannot know. FUA_NV is not
        // honoured (no non-volatile cache to aim at), so it is reserved. Both start without
        // blocking on a store that starts I/O (CommandHandler.start)
        CommandHandler read = CommandHandler.startable(readWrite::read, readWrite::startRead);
        CommandHandler write = CommandHandler.startable(readWrite::write, readWrite::startWrite);
        add(t, READ_6, "READ(6)", MediumAccess.READ, QUICK, read, READ_6, 0x1F, ff, ff, ff, 0);
        add(t, READ_10, "READ(10)", MediumAccess.READ, QUICK, read,
                READ_10, 0xF8, ff, ff, ff, ff, g, ff, ff, 0);
        add(t, READ_12, "READ(12)", MediumAccess.READ, QUICK, read,
                READ_12, 0xF8, ff, ff, ff, ff, ff, ff, ff, ff, g, 0);
        add(t, READ_16, "READ(16)", MediumAccess.READ, QUICK, read,
                READ_16, 0xF8, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, g, 0);
        add(t, WRITE_6, "WRITE(6)", MediumAccess.WRITE, QUICK, write, WRITE_6, 0x1F, ff, ff, ff, 0);
        add(t, WRITE_10, "WRITE(10)", MediumAccess.WRITE, QUICK, write,
                WRITE_10, 0xF8, ff, ff, ff, ff, g, ff, ff, 0);
        add(t, WRITE_12, "WRITE(12)", MediumAccess.WRITE, QUICK, write,
                WRITE_12, 0xF8, ff, ff, ff, ff, ff, ff, ff, ff, g, 0);
        add(t, WRITE_16, "WRITE(16)", MediumAccess.WRITE, QUICK, write,
                WRITE_16, 0xF8, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, g, 0);

        // VERIFY / WRITE AND VERIFY: byte 1 = xxPROTECT, DPO, BYTCHK
        add(t, VERIFY_10, "VERIFY(10)", MediumAccess.READ, readWrite::verify,
                VERIFY_10, 0xF6, ff, ff, ff, ff, g, ff, ff, 0);
        add(t, VERIFY_12, "VERIFY(12)", MediumAccess.READ, readWrite::verify,
                VERIFY_12, 0xF6, ff, ff, ff, ff, ff, ff, ff, ff, g, 0);
        add(t, VERIFY_16, "VERIFY(16)", MediumAccess.READ, readWrite::verify,
                VERIFY_16, 0xF6, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, g, 0);
        add(t, WRITE_AND_VERIFY_10, "WRITE AND VERIFY(10)", MediumAccess.WRITE, readWrite::writeAndVerify,
                WRITE_AND_VERIFY_10, 0xF6, ff, ff, ff, ff, g, ff, ff, 0);
        add(t, WRITE_AND_VERIFY_12, "WRITE AND VERIFY(12)", MediumAccess.WRITE, readWrite::writeAndVerify,
                WRITE_AND_VERIFY_12, 0xF6, ff, ff, ff, ff, ff, ff, ff, ff, g, 0);
        add(t, WRITE_AND_VERIFY_16, "WRITE AND VERIFY(16)", MediumAccess.WRITE, readWrite::writeAndVerify,
                WRITE_AND_VERIFY_16, 0xF6, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, g, 0);

        // read-modify-write: byte 1 = xxPROTECT, DPO, FUA
        add(t, COMPARE_AND_WRITE, "COMPARE AND WRITE", MediumAccess.WRITE, atomic::compareAndWrite,
                COMPARE_AND_WRITE, 0xF8, ff, ff, ff, ff, ff, ff, ff, ff, 0, 0, 0, ff, g, 0);
        add(t, ORWRITE_16, "ORWRITE(16)", MediumAccess.WRITE, atomic::orWrite,
                ORWRITE_16, 0xF8, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, g, 0);
        // WRITE ATOMIC(16), SBC-4 5.48: byte 1 = WRPROTECT, DPO, FUA; ATOMIC BOUNDARY 10..11
        add(t, WRITE_ATOMIC_16, "WRITE ATOMIC(16)", MediumAccess.WRITE, atomic::writeAtomic16,
                WRITE_ATOMIC_16, 0xF8, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, g, 0);

        // provisioning: WRITE SAME byte 1 = WRPROTECT, UNMAP (, NDOB); ANCHOR is reserved with
        // ANC_SUP=0, the obsolete PBDATA and LBDATA are not supported. UNMAP's only byte-1 bit is
        // ANCHOR.
        add(t, WRITE_SAME_10, "WRITE SAME(10)", MediumAccess.WRITE, provisioning::writeSame,
                WRITE_SAME_10, 0xE8, ff, ff, ff, ff, g, ff, ff, 0);
        add(t, WRITE_SAME_16, "WRITE SAME(16)", MediumAccess.WRITE, provisioning::writeSame,
                WRITE_SAME_16, 0xE9, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, g, 0);
        add(t, UNMAP, "UNMAP", MediumAccess.WRITE, provisioning::unmap, UNMAP, 0, 0, 0, 0, 0, g, ff, ff, 0);
        addSa(t, SERVICE_ACTION_IN_16, SA_GET_LBA_STATUS, "GET LBA STATUS", MediumAccess.READ,
                provisioning::getLbaStatus,
                SERVICE_ACTION_IN_16, SA_GET_LBA_STATUS, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, 0, 0);

        // capacity: it is the medium's, so NOT READY while a removable medium is ejected
        add(t, READ_CAPACITY_10, "READ CAPACITY(10)", MediumAccess.NONE, QUICK_NEEDS_MEDIUM,
                CapacityCommands::readCapacity10, READ_CAPACITY_10, 0, ff, ff, ff, ff, 0, 0, 0x01, 0);
        addSa(t, SERVICE_ACTION_IN_16, SA_READ_CAPACITY_16, "READ CAPACITY(16)", MediumAccess.NONE, QUICK_NEEDS_MEDIUM,
                CapacityCommands::readCapacity16,
                SERVICE_ACTION_IN_16, SA_READ_CAPACITY_16, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, 0x01, 0);

        // cache: byte 1 = IMMED; SYNCHRONIZE CACHE also SYNC_NV (the whole store is flushed, which
        // satisfies either value)
        add(t, SYNCHRONIZE_CACHE_10, "SYNCHRONIZE CACHE(10)", MediumAccess.READ, CacheCommands::synchronizeCache,
                SYNCHRONIZE_CACHE_10, 0x06, ff, ff, ff, ff, g, ff, ff, 0);
        add(t, SYNCHRONIZE_CACHE_16, "SYNCHRONIZE CACHE(16)", MediumAccess.READ, CacheCommands::synchronizeCache,
                SYNCHRONIZE_CACHE_16, 0x06, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, g, 0);
        add(t, PRE_FETCH_10, "PRE-FETCH(10)", MediumAccess.READ, CacheCommands::preFetch,
                PRE_FETCH_10, 0x02, ff, ff, ff, ff, g, ff, ff, 0);
        add(t, PRE_FETCH_16, "PRE-FETCH(16)", MediumAccess.READ, CacheCommands::preFetch,
                PRE_FETCH_16, 0x02, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, ff, g, 0);

        // unit control: they load and lock the medium, so they run while it is ejected; loading or
        // ejecting changes the medium every nexus sees (refused from a read-only mapping). START
        // STOP UNIT: IMMED; POWER CONDITION MODIFIER, POWER CONDITION, NO_FLUSH, LOEJ, START
        t.add(new CommandDescriptor(START_STOP_UNIT, -1, "START STOP UNIT", MediumAccess.READ, NO_MEDIUM,
                CdbUsage.of(START_STOP_UNIT, 0x01, 0, 0x0F, 0xF7, 0), UnitCommands::startStopUnit)
                .withSharedStateWhen(UnitCommands::movesMedium));
        add(t, PREVENT_ALLOW_MEDIUM_REMOVAL, "PREVENT ALLOW MEDIUM REMOVAL", MediumAccess.READ, NO_MEDIUM,
                UnitCommands::preventAllow, PREVENT_ALLOW_MEDIUM_REMOVAL, 0, 0, 0, 0x03, 0);

        // SANITIZE: byte 1 = IMMED, AUSE, SERVICE ACTION. Every service action rewrites or
        // deallocates the whole medium (WRITE: reservations, write protection, a loaded medium);
        // CRYPTOGRAPHIC ERASE has no row: no backstore encrypts. Rows run on workers (IMMED=0 waits).
        String[] sanitize = {null, "OVERWRITE", "BLOCK ERASE"};
        for (int sa = SA_OVERWRITE; sa <= SA_BLOCK_ERASE; sa++) {
            addSa(t, SANITIZE, sa, "SANITIZE / " + sanitize[sa], MediumAccess.WRITE, SanitizeCommand::execute,
                    SANITIZE, 0xA0 | sa, 0, 0, 0, 0, 0, ff, ff, 0);
        }
        addSa(t, SANITIZE, SA_EXIT_FAILURE_MODE, "SANITIZE / EXIT FAILURE MODE", MediumAccess.WRITE,
                SanitizeCommand::execute, SANITIZE, 0xA0 | SA_EXIT_FAILURE_MODE, 0, 0, 0, 0, 0, ff, ff, 0);

        // READ DEFECT DATA: empty lists; byte 2 (10) / byte 1 (12) = REQ_PLIST, REQ_GLIST, FORMAT
        add(t, READ_DEFECT_DATA_10, "READ DEFECT DATA(10)", MediumAccess.READ, QUICK, DefectData::readDefectData10,
                READ_DEFECT_DATA_10, 0, 0x1F, 0, 0, 0, 0, ff, ff, 0);
        add(t, READ_DEFECT_DATA_12, "READ DEFECT DATA(12)", MediumAccess.READ, QUICK, DefectData::readDefectData12,
                READ_DEFECT_DATA_12, 0x1F, ff, ff, ff, ff, ff, ff, ff, ff, 0, 0);

        // LOG SENSE: pages 00h and Logical Block Provisioning 0Ch; SP (byte 1 bit 0) is reserved,
        // nothing can be saved, and so is the obsolete PPC. Allowed under every reservation
        // (SPC-4 table 64), so it touches no medium; and while a sanitize operation runs or
        // failed (SBC-4 4.11.1).
        add(t, SbcOpcodes.LOG_SENSE, "LOG SENSE", MediumAccess.NONE,
                Set.of(CommandDescriptor.Flag.ALLOWED_DURING_SANITIZE), LogSense::execute,
                SbcOpcodes.LOG_SENSE, 0, ff, ff, 0, ff, ff, ff, ff, 0);

        t.addVpdPage(BlockVpdPages.BLOCK_LIMITS, BlockVpdPages::blockLimits);
        t.addVpdPage(BlockVpdPages.BLOCK_DEVICE_CHARACTERISTICS, BlockVpdPages::blockDeviceCharacteristics);
        t.addVpdPage(BlockVpdPages.LOGICAL_BLOCK_PROVISIONING, BlockVpdPages::logicalBlockProvisioning);
    }

    private static void add(OpcodeTable.Builder t, int opcode, String name, MediumAccess access,
            CommandHandler handler, int... usage) {
        add(t, opcode, name, access, Set.of(), handler, usage);
    }

    private static void add(OpcodeTable.Builder t, int opcode, String name, MediumAccess access,
            Set<CommandDescriptor.Flag> flags, CommandHandler handler, int... usage) {
        t.add(new CommandDescriptor(opcode, -1, name, access, flags, CdbUsage.of(usage), handler));
    }

    private static void addSa(OpcodeTable.Builder t, int opcode, int sa, String name, MediumAccess access,
            CommandHandler handler, int... usage) {
        addSa(t, opcode, sa, name, access, Set.of(), handler, usage);
    }

    private static void addSa(OpcodeTable.Builder t, int opcode, int sa, String name, MediumAccess access,
            Set<CommandDescriptor.Flag> flags, CommandHandler handler, int... usage) {
        t.add(new CommandDescriptor(opcode, sa, name, access, flags, CdbUsage.of(usage), handler));
    }
}
