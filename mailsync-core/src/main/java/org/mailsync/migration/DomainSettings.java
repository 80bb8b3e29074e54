package org.mailsync.migration;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How one domain migrates: whether it does, from which legacy server, how user names map, how many
 * connections the legacy server may get, and the master credentials for bulk pre-staging.
 *
 * <p>Immutable and thread-safe. The master password is held as given (a copy) and never printed.
 */
public final class DomainSettings {
    private final String domain;
    private final boolean enabled;
    private final LegacyEndpoint legacy;
    private final UsernameMapping usernames;
    private final int maxConnectionsPerHost;
    private final @Nullable String masterLogin;
    private final char @Nullable [] masterPassword;

    private DomainSettings(Builder b, LegacyEndpoint legacy) {
        this.domain = b.domain;
        this.enabled = b.enabled;
        this.legacy = legacy;
        this.usernames = b.usernames;
        this.maxConnectionsPerHost = b.maxConnectionsPerHost;
        this.masterLogin = b.masterLogin;
        // A copy of its own: nothing the builder does later reaches it, and no two settings share one.
        this.masterPassword = b.masterPassword == null ? null : b.masterPassword.clone();
    }

    /** Settings for {@code domain} (compared without case). */
    public static Builder forDomain(String domain) {
        return new Builder(domain);
    }

    /** The domain, lower case. */
    public String domain() {
        return domain;
    }

    /** Whether logins in this domain migrate (when not, {@link AutoMigration} leaves them alone). */
    public boolean enabled() {
        return enabled;
    }

    /** The legacy IMAP server. */
    public LegacyEndpoint legacy() {
        return legacy;
    }

    /** How typed addresses map to the legacy login and the local account. */
    public UsernameMapping usernames() {
        return usernames;
    }

    /**
     * The most sessions open at once to the legacy host: login checks and migrations together. A
     * migration holds one session (the engine may open a folder connection per parallel folder
     * within it); when the cap is 2 or more, migrations leave one session free for login checks.
     */
    public int maxConnectionsPerHost() {
        return maxConnectionsPerHost;
    }

    /** The master (admin) login, if configured. */
    public Optional<String> masterLogin() {
        return Optional.ofNullable(masterLogin);
    }

    /** Whether master credentials are configured (bulk pre-staging and password-less resumes need them). */
    public boolean hasMasterCredentials() {
        return masterLogin != null;
    }

    /** A copy of the master password; the caller should clear it after use. */
    char[] masterPassword() {
        checkState(masterPassword != null, "no master credentials for %s", domain);
        return masterPassword.clone();
    }

    @Override
    public String toString() {
        return "DomainSettings[" + domain + (enabled ? "" : ", disabled") + ", legacy " + legacy
                + (masterLogin == null ? "" : ", master " + masterLogin) + "]";
    }

    /** Builds {@link DomainSettings}; every setting can be made once. Not thread-safe. */
    public static final class Builder {
        private final String domain;
        private boolean enabled = true;
        private @Nullable LegacyEndpoint legacy;
        private UsernameMapping usernames = UsernameMapping.identity();
        private int maxConnectionsPerHost = 4;
        private @Nullable String masterLogin;
        private char @Nullable [] masterPassword;
        private final Set<String> set = new HashSet<>();

        private Builder(String domain) {
            checkArgument(
                    !domain.isBlank() && !domain.contains("@") && domain.strip().equals(domain),
                    "not a domain: '%s'",
                    domain);
            this.domain = domain.toLowerCase(Locale.ROOT);
        }

        /** Refuses a second setting in the style of every builder here: "X was already set to V". */
        private void once(String name, @Nullable Object current) {
            checkState(set.add(name), "%s was already set to %s", name, current);
        }

        /** Whether the domain migrates. Default true. */
        public Builder enabled(boolean on) {
            once("enabled", enabled);
            enabled = on;
            return this;
        }

        /** The legacy IMAP server. Required. */
        public Builder legacy(LegacyEndpoint endpoint) {
            once("legacy", legacy);
            legacy = endpoint;
            return this;
        }

        /** The legacy IMAP server at {@code host:port}, secured as said. Required (this or {@link #legacy(LegacyEndpoint)}). */
        public Builder legacy(String host, int port, LegacyEndpoint.Security security) {
            return legacy(new LegacyEndpoint(host, port, security));
        }

        /** How user names map. Default: the full address for both. */
        public Builder usernames(UsernameMapping mapping) {
            once("usernames", usernames);
            usernames = mapping;
            return this;
        }

        /** The cap on sessions to the legacy host (see {@link DomainSettings#maxConnectionsPerHost()}). Default 4. */
        public Builder maxConnectionsPerHost(int sessions) {
            once("maxConnectionsPerHost", maxConnectionsPerHost);
            checkArgument(
                    sessions >= 1 && sessions <= 1000, "max connections per host must be 1..1000, not %s", sessions);
            maxConnectionsPerHost = sessions;
            return this;
        }

        /** Master (admin) credentials on the legacy server; the password array is copied. */
        public Builder masterCredentials(String login, char[] password) {
            once("masterCredentials", "login " + masterLogin); // never the password
            checkArgument(!login.isBlank(), "master login must not be blank");
            checkArgument(password.length > 0, "master password must not be empty");
            masterLogin = login;
            masterPassword = Arrays.copyOf(password, password.length);
            return this;
        }

        /** Builds the settings from a copy of what was set so far; the legacy server is required. */
        public DomainSettings build() {
            checkState(legacy != null, "the legacy server of %s must be set", domain);
            return new DomainSettings(this, legacy);
        }
    }
}
