package org.mailsync.imap;

/**
 * How the connection to the server is protected.
 *
 * <p>Immutable.
 */
public enum Security {
    /** Plain text; only for loopback tests and trusted networks. */
    NONE,
    /**
     * Plain connection upgraded by STARTTLS, which is required: a server that does not offer it is
     * an error, never a silent plain-text session.
     */
    STARTTLS,
    /** TLS from the first byte (implicit TLS, usually port 993). */
    TLS;

    /** The usual port for this security: 143, 143 or 993. */
    public int defaultPort() {
        return this == TLS ? 993 : 143;
    }

    /** The URI scheme naming this security: {@code imap}, {@code imap+starttls}, {@code imaps}. */
    public String scheme() {
        return switch (this) {
            case NONE -> "imap";
            case STARTTLS -> "imap+starttls";
            case TLS -> "imaps";
        };
    }
}
