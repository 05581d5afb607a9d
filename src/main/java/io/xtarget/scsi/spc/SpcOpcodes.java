package io.xtarget.scsi.spc;

/** Operation codes and service actions of the SPC-4 commands this package serves (SPC-4 6). */
final class SpcOpcodes {
    static final int TEST_UNIT_READY = 0x00;
    static final int REQUEST_SENSE = 0x03;
    static final int INQUIRY = 0x12;
    static final int MODE_SELECT_6 = 0x15;
    static final int RESERVE_6 = 0x16;
    static final int RELEASE_6 = 0x17;
    static final int MODE_SENSE_6 = 0x1A;
    static final int MODE_SELECT_10 = 0x55;
    static final int RESERVE_10 = 0x56;
    static final int RELEASE_10 = 0x57;
    static final int MODE_SENSE_10 = 0x5A;
    static final int PERSISTENT_RESERVE_IN = 0x5E;
    static final int PERSISTENT_RESERVE_OUT = 0x5F;
    static final int REPORT_LUNS = 0xA0;
    static final int MAINTENANCE_IN = 0xA3;
    static final int SA_REPORT_TARGET_PORT_GROUPS = 0x0A;
    static final int SA_REPORT_SUPPORTED_OPERATION_CODES = 0x0C;
    static final int SA_REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS = 0x0D;
    static final int MAINTENANCE_OUT = 0xA4;
    static final int SA_SET_TARGET_PORT_GROUPS = 0x0A;

    private SpcOpcodes() {}
}
