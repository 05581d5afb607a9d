package io.xtarget.cli;

import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.IscsiUrl;
import io.xtarget.initiator.LoginException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The iSCSI sessions of one {@code xtarget xcopy}: one per target, opened when first needed, logged out at the end. */
final class Sessions implements AutoCloseable {
    private final InitiatorOptions options;
    private final Map<String, IscsiSession> open = new LinkedHashMap<>();

    Sessions(InitiatorOptions options) {
        this.options = options;
    }

    /** The session to the URL's target, logging in on first use. */
    IscsiSession of(IscsiUrl url) throws IOException {
        String key = (url.host() + ":" + url.port() + "/" + url.targetName()).toLowerCase(Locale.ROOT);
        IscsiSession s = open.get(key);
        if (s == null) {
            try {
                s = IscsiSession.open(url, options);
            } catch (LoginException e) {
                throw new LoginException(url.host() + ":" + url.port() + " " + url.targetName() + ": "
                        + e.getMessage());
            }
            open.put(key, s);
        }
        return s;
    }

    @Override
    public void close() {
        for (IscsiSession s : open.values()) {
            try {
                s.logout();
            } catch (IOException ignored) {
                // the session closes anyway
            }
            s.close();
        }
        open.clear();
    }
}
