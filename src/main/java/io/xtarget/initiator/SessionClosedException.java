package io.xtarget.initiator;

import java.io.IOException;

/** The session ended (logout, close, or a dropped connection) before the request completed. */
public class SessionClosedException extends IOException {
    public SessionClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
