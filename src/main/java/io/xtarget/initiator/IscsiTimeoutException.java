package io.xtarget.initiator;

import java.io.IOException;

/** A login, command, ping or task management request did not complete within its timeout. */
public class IscsiTimeoutException extends IOException {
    public IscsiTimeoutException(String message) {
        super(message);
    }
}
