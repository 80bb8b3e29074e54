package org.mailsync.pop3;

/**
 * How the connection to the POP3 server is protected.
 *
 * <p>Immutable.
 */
public enum Pop3Security {
    /** Plain text; only for loopback tests and trusted networks. */
    NONE,
    /**
     * A plain connection upgraded by STLS (RFC 2595), which is required: a server that does not
     * offer it is an error, never a silent plain-text session.
     */
    STLS,
    /** TLS from the first byte (POP3S, usually port 995). */
    TLS;

    /** The usual port for this security: 110, 110 or 995. */
    public int defaultPort() {
        return this == TLS ? 995 : 110;
    }

    /** The URI scheme naming this security: {@code pop3}, {@code pop3+stls}, {@code pop3s}. */
    public String scheme() {
        return switch (this) {
            case NONE -> "pop3";
            case STLS -> "pop3+stls";
            case TLS -> "pop3s";
        };
    }
}
