package io.xtarget.cli;

import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.IscsiUrl;
import java.io.IOException;

/**
 * One end of a copy, ready to use: its URL, the session to its target, its probe and its
 * capacity from READ CAPACITY(16).
 */
record CopyEnd(IscsiUrl url, IscsiSession session, ScsiProbe probe, long blocks, int blockSize) {

    /** Logs in (or reuses the session to the same target), consumes unit attentions and reads the capacity. */
    static CopyEnd open(Sessions sessions, IscsiUrl url, String role) throws IOException, ScsiProbe.ProbeException {
        IscsiSession s = sessions.of(url);
        ScsiProbe p = new ScsiProbe(s, url.lun(), role + " " + url);
        p.ready();
        long[] cap = p.capacity();
        return new CopyEnd(url, s, p, cap[0], (int) cap[1]);
    }

    long[] capacity() {
        return new long[] {blocks, blockSize};
    }
}
