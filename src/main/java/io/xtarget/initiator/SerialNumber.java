package io.xtarget.initiator;

/** 32-bit serial number arithmetic (RFC 1982), which RFC 7143 4.2.2 uses for CmdSN and StatSN. */
final class SerialNumber {
    private SerialNumber() {}

    /** a < b in serial arithmetic. */
    static boolean lessThan(int a, int b) {
        return a != b && a - b < 0;
    }

    static boolean lessOrEqual(int a, int b) {
        return a == b || a - b < 0;
    }

    static int max(int a, int b) {
        return lessThan(a, b) ? b : a;
    }
}
