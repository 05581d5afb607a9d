package io.xtarget.scsi.copy;

/** Operation codes and service actions of the third-party copy commands (SPC-4 6.4, 6.20). */
final class CopyOpcodes {
    static final int EXTENDED_COPY = 0x83;
    static final int SA_EXTENDED_COPY_LID1 = 0x00;
    static final int RECEIVE_COPY_RESULTS = 0x84;
    static final int SA_COPY_STATUS = 0x00;
    static final int SA_OPERATING_PARAMETERS = 0x03;
    static final int SA_FAILED_SEGMENT_DETAILS = 0x04;

    private CopyOpcodes() {}
}
