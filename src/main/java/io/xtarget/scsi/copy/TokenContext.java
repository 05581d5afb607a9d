package io.xtarget.scsi.copy;

import java.util.concurrent.Semaphore;

/**
 * What the token commands share with each other and with EXTENDED COPY: the one copy engine, the
 * server-wide budget of concurrent copies (TOTAL CONCURRENT COPIES counts token copies too), the
 * counters, the token table and the LID4 list identifiers.
 */
record TokenContext(TokenLimits limits, CopyEngine engine, Semaphore concurrent, CopyStats stats,
        RodTokenTable tokens, Lid4Operations operations) {}
