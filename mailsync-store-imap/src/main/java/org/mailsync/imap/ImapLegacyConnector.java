package org.mailsync.imap;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;
import org.mailsync.MailStoreException;
import org.mailsync.migration.LegacyEndpoint;
import org.mailsync.migration.spi.LegacyConnector;
import org.mailsync.spi.MailStore;

/**
 * Lets auto-migration ({@link org.mailsync.migration.AutoMigration}) reach the legacy server
 * through {@link ImapStore}: the user's own login for the login check, and a master login (SASL
 * PLAIN with the user as authorization identity, as Dovecot's master users take it) for
 * pre-staging. Certificates are checked against the JDK trust store, as {@link ImapStore} does by
 * default.
 *
 * <p>Thread-safe (stateless).
 */
public final class ImapLegacyConnector implements LegacyConnector {
    private final Duration timeout;
    private final int connectionsPerSession;

    /**
     * A connector whose connect timeout is {@code timeout} (the user waits at a login prompt;
     * reads may take six times as long) and whose stores hold at most {@code connectionsPerSession}
     * connections each.
     */
    public ImapLegacyConnector(Duration timeout, int connectionsPerSession) {
        checkArgument(!timeout.isNegative() && !timeout.isZero(), "timeout must be positive, not %s", timeout);
        checkArgument(
                connectionsPerSession >= 1,
                "connections per session must be at least 1, not %s",
                connectionsPerSession);
        this.timeout = timeout;
        this.connectionsPerSession = connectionsPerSession;
    }

    @Override
    public MailStore open(LegacyEndpoint endpoint, String login, char[] password) throws MailStoreException {
        return builder(endpoint).username(login).password(password).connect();
    }

    @Override
    public MailStore openAsMaster(LegacyEndpoint endpoint, String login, String masterLogin, char[] masterPassword)
            throws MailStoreException {
        return builder(endpoint)
                .username(masterLogin)
                .password(masterPassword)
                .authorizationId(login)
                .connect();
    }

    private ImapStore.Builder builder(LegacyEndpoint endpoint) {
        return ImapStore.builder()
                .host(endpoint.host())
                .port(endpoint.port())
                .security(
                        switch (endpoint.security()) {
                            case NONE -> Security.NONE;
                            case STARTTLS -> Security.STARTTLS;
                            case TLS -> Security.TLS;
                        })
                .connectTimeout(timeout)
                .readTimeout(timeout.multipliedBy(6))
                // The login check must answer while the user waits: retries belong to the
                // migration's own back-off, not to a connect inside the login.
                .retry(RetryPolicy.NONE)
                .maxConnections(connectionsPerSession);
    }
}
