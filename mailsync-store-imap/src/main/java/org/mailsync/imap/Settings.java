package org.mailsync.imap;

import java.security.KeyStore;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.mailsync.BackoffPolicy;
import org.mailsync.MessageSpool;

/**
 * Everything an {@link ImapStore.Builder} was told, checked. The password is held only as a
 * supplier and turned into a string just for the moment of a login.
 *
 * <p>Immutable (the suppliers are the caller's).
 */
record Settings(
        String host,
        int port,
        Security security,
        String username,
        @Nullable Supplier<char[]> password,
        @Nullable Supplier<String> oauth2Token,
        @Nullable String authorizationId,
        Set<String> pinnedSha256,
        @Nullable KeyStore trustStore,
        Duration connectTimeout,
        Duration readTimeout,
        int maxConnections,
        Duration connectionWait,
        BackoffPolicy retry,
        MessageSpool spool,
        Sleeper sleeper,
        Duration greetingTimeout,
        Duration stallTimeout,
        Duration operationDeadline,
        long maxResponseSize,
        @Nullable ProviderPreset preset) {

    /** How the store names itself: never with a password. */
    String account() {
        String user = authorizationId != null ? authorizationId : username;
        return security.scheme() + "://" + user + "@" + host + ":" + port;
    }

    /** Waits between retries; a seam so tests need not sleep. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;

        Sleeper REAL = duration -> Thread.sleep(duration.toMillis());
    }
}
