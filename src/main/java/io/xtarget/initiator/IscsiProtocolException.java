package io.xtarget.initiator;

import java.io.IOException;

/** The target broke RFC 7143; at ErrorRecoveryLevel 0 the connection is then dropped. */
public class IscsiProtocolException extends IOException {
    public IscsiProtocolException(String message) {
        super(message);
    }

    public IscsiProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
