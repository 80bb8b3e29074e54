package org.mailsync.migration;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Where the legacy IMAP server listens and how to secure the connection.
 *
 * @param host the host name (checked against the certificate under TLS and STARTTLS)
 * @param port the TCP port
 * @param security how the connection is secured
 *     <p>Immutable.
 */
public record LegacyEndpoint(String host, int port, Security security) {
    /** How the connection to the legacy server is secured. */
    public enum Security {
        /** Plain text; only for a server on a trusted network or loopback. */
        NONE,
        /** Plain connect, then STARTTLS, required (never opportunistic). */
        STARTTLS,
        /** TLS from the first byte (IMAPS, usually port 993). */
        TLS
    }

    public LegacyEndpoint {
        checkArgument(!host.isBlank(), "legacy host must not be blank");
        checkArgument(port >= 1 && port <= 65535, "legacy port must be 1..65535, not %s", port);
    }

    /** {@code host:port}, the key of the per-host connection cap. */
    public String hostKey() {
        return host.toLowerCase(java.util.Locale.ROOT) + ":" + port;
    }

    @Override
    public String toString() {
        return (security == Security.TLS ? "imaps://" : "imap://") + host + ":" + port
                + (security == Security.STARTTLS ? " (STARTTLS)" : "");
    }
}
