package io.xtarget.scsi;

/**
 * Sense data, built in one place and encoded in fixed (SPC-4 4.5.3) or descriptor (4.5.2) format
 * depending on the logical unit's D_SENSE setting.
 *
 * @param key sense key ({@link SenseKey})
 * @param asc additional sense code
 * @param ascq additional sense code qualifier
 * @param information the INFORMATION field, or -1 when not valid
 * @param commandSpecific the COMMAND-SPECIFIC INFORMATION field, or -1 when absent
 * @param senseKeySpecific the 3-byte SENSE KEY SPECIFIC field with SKSV set, or -1 when absent
 */
public record Sense(int key, int asc, int ascq, long information, long commandSpecific, int senseKeySpecific) {

    public Sense(int key, int asc, int ascq) {
        this(key, asc, ascq, -1, -1, -1);
    }

    public Sense withInformation(long info) {
        return new Sense(key, asc, ascq, info, commandSpecific, senseKeySpecific);
    }

    public Sense withCommandSpecific(long csi) {
        return new Sense(key, asc, ascq, information, csi, senseKeySpecific);
    }

    /**
     * Adds a field pointer (SPC-4 4.5.2.4.2): {@code inCdb} sets C/D, {@code bit} &lt; 0 means no
     * bit pointer.
     */
    public Sense withFieldPointer(boolean inCdb, int byteIndex, int bit) {
        int sks = 0x800000 | (inCdb ? 0x400000 : 0) | (byteIndex & 0xFFFF);
        if (bit >= 0) {
            sks |= 0x080000 | ((bit & 7) << 16);
        }
        return new Sense(key, asc, ascq, information, commandSpecific, sks);
    }

    // ---- the sense codes the target uses, named as SPC-4 Annex D names them ----

    public static Sense illegal(int asc, int ascq) {
        return new Sense(SenseKey.ILLEGAL_REQUEST, asc, ascq);
    }

    public static Sense invalidOpcode() {
        return illegal(0x20, 0x00);
    }

    public static Sense invalidFieldInCdb(int byteIndex, int bit) {
        return illegal(0x24, 0x00).withFieldPointer(true, byteIndex, bit);
    }

    public static Sense invalidFieldInCdb() {
        return illegal(0x24, 0x00);
    }

    public static Sense invalidFieldInParameterList(int byteIndex, int bit) {
        return illegal(0x26, 0x00).withFieldPointer(false, byteIndex, bit);
    }

    public static Sense parameterListLengthError() {
        return illegal(0x1A, 0x00);
    }

    public static Sense lbaOutOfRange() {
        return illegal(0x21, 0x00);
    }

    public static Sense lunNotSupported() {
        return illegal(0x25, 0x00);
    }

    public static Sense savingParametersNotSupported() {
        return illegal(0x39, 0x00);
    }

    /** NOT READY / MEDIUM NOT PRESENT: a removable medium is ejected. */
    public static Sense mediumNotPresent() {
        return new Sense(SenseKey.NOT_READY, 0x3A, 0x00);
    }

    /**
     * NOT READY / LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED (04h/03h): the LU's image
     * or device is missing and only an administrator can bring it back. One of SPC-4's preferred
     * TEST UNIT READY responses; unlike MEDIUM NOT PRESENT (3Ah/00h, an ejected removable medium)
     * it says that no command of the initiator's (START STOP UNIT included) makes the LU ready, and
     * unlike LOGICAL UNIT NOT SUPPORTED (25h/00h) it keeps the LU in the inventory (INQUIRY and
     * REPORT LUNS still answer). Linux's sd gives up on spinning up at this code and fails I/O
     * without retries.
     */
    public static Sense manualInterventionRequired() {
        return new Sense(SenseKey.NOT_READY, 0x04, 0x03);
    }

    /**
     * NOT READY / LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE (04h/00h): the storage behind the
     * LU cannot be reached now (a network store's cluster); a later command may succeed.
     */
    public static Sense notReportableNotReady() {
        return new Sense(SenseKey.NOT_READY, 0x04, 0x00);
    }

    /**
     * NOT READY / LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE TRANSITION (04h/0Ah): the
     * LU's asymmetric access state is changing (SPC-4 5.15, transitions between target port
     * asymmetric access states: a command that cannot be processed while the target port group
     * transitions is terminated with this sense). Nothing was done;
     * initiators retry (Linux: scsi_dh_alua and the SCSI midlayer retry it, after an RTPG) and pick
     * the path by the new states.
     */
    public static Sense asymmetricAccessStateTransition() {
        return new Sense(SenseKey.NOT_READY, 0x04, 0x0A);
    }

    /** ILLEGAL REQUEST / MEDIUM REMOVAL PREVENTED: PREVENT ALLOW MEDIUM REMOVAL locks the medium. */
    public static Sense mediumRemovalPrevented() {
        return illegal(0x53, 0x02);
    }

    public static Sense writeProtected() {
        return new Sense(SenseKey.DATA_PROTECT, 0x27, 0x00);
    }

    public static Sense unrecoveredReadError() {
        return new Sense(SenseKey.MEDIUM_ERROR, 0x11, 0x00);
    }

    public static Sense writeError() {
        return new Sense(SenseKey.MEDIUM_ERROR, 0x0C, 0x00);
    }

    /**
     * NOT READY / LOGICAL UNIT NOT READY, SANITIZE IN PROGRESS (04h/1Bh) with the PROGRESS
     * INDICATION sense key specific field (SPC-4 4.5.2.4.4): {@code progress} of 65536.
     */
    public static Sense sanitizeInProgress(int progress) {
        return new Sense(SenseKey.NOT_READY, 0x04, 0x1B, -1, -1, 0x800000 | (progress & 0xFFFF));
    }

    /** MEDIUM ERROR / SANITIZE COMMAND FAILED (31h/03h): the LU is in sanitize failure mode (SBC-4 4.11.3). */
    public static Sense sanitizeFailed() {
        return new Sense(SenseKey.MEDIUM_ERROR, 0x31, 0x03);
    }

    /** DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT: a thin LU ran out of space (SBC-3 4.7.3.6). */
    public static Sense spaceAllocationFailed() {
        return new Sense(SenseKey.DATA_PROTECT, 0x27, 0x07);
    }

    public static Sense internalTargetFailure() {
        return new Sense(SenseKey.HARDWARE_ERROR, 0x44, 0x00);
    }

    public static Sense miscompare() {
        return new Sense(SenseKey.MISCOMPARE, 0x1D, 0x00);
    }

    public static Sense noSense() {
        return new Sense(SenseKey.NO_SENSE, 0, 0);
    }

    /** Encodes in fixed format (response code 70h). */
    public byte[] fixed() {
        byte[] b = new byte[18];
        b[0] = (byte) ((information >= 0 ? 0x80 : 0) | 0x70);
        b[2] = (byte) (key & 0x0F);
        if (information >= 0) {
            putInt(b, 3, information);
        }
        b[7] = 10; // additional sense length
        if (commandSpecific >= 0) {
            putInt(b, 8, commandSpecific);
        }
        b[12] = (byte) asc;
        b[13] = (byte) ascq;
        if (senseKeySpecific >= 0) {
            b[15] = (byte) (senseKeySpecific >>> 16);
            b[16] = (byte) (senseKeySpecific >>> 8);
            b[17] = (byte) senseKeySpecific;
        }
        return b;
    }

    /** Encodes in descriptor format (response code 72h), with the descriptors that apply. */
    public byte[] descriptor() {
        int len = 8 + (information >= 0 ? 12 : 0) + (commandSpecific >= 0 ? 12 : 0) + (senseKeySpecific >= 0 ? 8 : 0);
        byte[] b = new byte[len];
        b[0] = 0x72;
        b[1] = (byte) (key & 0x0F);
        b[2] = (byte) asc;
        b[3] = (byte) ascq;
        b[7] = (byte) (len - 8);
        int p = 8;
        if (information >= 0) { // information descriptor, SPC-4 4.5.2.2
            b[p] = 0x00;
            b[p + 1] = 0x0A;
            b[p + 2] = (byte) 0x80;
            putLong(b, p + 4, information);
            p += 12;
        }
        if (commandSpecific >= 0) { // command-specific information descriptor, 4.5.2.3
            b[p] = 0x01;
            b[p + 1] = 0x0A;
            putLong(b, p + 4, commandSpecific);
            p += 12;
        }
        if (senseKeySpecific >= 0) { // sense key specific descriptor, 4.5.2.4
            b[p] = 0x02;
            b[p + 1] = 0x06;
            b[p + 4] = (byte) (senseKeySpecific >>> 16);
            b[p + 5] = (byte) (senseKeySpecific >>> 8);
            b[p + 6] = (byte) senseKeySpecific;
        }
        return b;
    }

    public byte[] encode(boolean descriptorFormat) {
        return descriptorFormat ? descriptor() : fixed();
    }

    private static void putInt(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    @Override
    public String toString() {
        return String.format("Sense[key=%X asc=%02X ascq=%02X]", key, asc, ascq);
    }
}
