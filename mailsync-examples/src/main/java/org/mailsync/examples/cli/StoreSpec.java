package org.mailsync.examples.cli;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.mailsync.MailStoreException;
import org.mailsync.eml.EmlStore;
import org.mailsync.imap.ImapEndpoint;
import org.mailsync.imap.ImapStore;
import org.mailsync.imap.ProviderPreset;
import org.mailsync.imap.RetryPolicy;
import org.mailsync.imap.Security;
import org.mailsync.maildir.MaildirStore;
import org.mailsync.mbox.MboxStore;
import org.mailsync.spi.MailStore;

/**
 * A store named on the command line: {@code imap://user@host:port}, {@code imaps://...}, {@code
 * imap+starttls://...}, {@code maildir:/path}, {@code mbox:/path} (a file, a directory of files,
 * or a Thunderbird profile folder, recognised by its {@code .msf} files), {@code eml:/path} (a
 * tree of folders of {@code .eml} files), or a POP3 source: {@code pop3://user@host}, {@code
 * pop3s://...}, {@code pop3+stls://...} ({@link Pop3Specs}).
 *
 * <p>Immutable.
 */
record StoreSpec(
        Kind kind,
        String text,
        @Nullable Security security,
        @Nullable String host,
        int port,
        @Nullable String user,
        @Nullable Path path) {

    enum Kind {
        IMAP,
        MAILDIR,
        MBOX,
        EML,
        /** A POP3 account (a source only); {@code security} holds its TLS mode as IMAP's enum. */
        POP3
    }

    /** How to log in to an IMAP store: a password supplier or an OAuth2 token supplier. */
    record Credentials(
            @Nullable Supplier<char[]> password,
            @Nullable Supplier<String> oauth2Token,
            List<String> trustedSha256,
            int maxConnections,
            @Nullable ProviderPreset preset) {
        Credentials(
                @Nullable Supplier<char[]> password,
                @Nullable Supplier<String> oauth2Token,
                List<String> trustedSha256,
                int maxConnections) {
            this(password, oauth2Token, trustedSha256, maxConnections, null);
        }

        /** These credentials for a store at this provider (null: none). */
        Credentials withPreset(@Nullable ProviderPreset value) {
            return new Credentials(password, oauth2Token, trustedSha256, maxConnections, value);
        }

        /** A password supplier that hands out copies of {@code secret}, each for its caller to wipe. */
        static Supplier<char[]> kept(char[] secret) {
            char[] copy = secret.clone();
            return () -> copy.clone();
        }
    }

    /**
     * Parses a store as the user wrote it. Errors never repeat the text: it may hold a password
     * (typed into the URI, or typed where the URI belongs).
     */
    static StoreSpec parse(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("maildir:")) {
            return new StoreSpec(Kind.MAILDIR, text, null, null, 0, null, localPath(text, "maildir:"));
        }
        if (lower.startsWith("mbox:")) {
            return new StoreSpec(Kind.MBOX, text, null, null, 0, null, localPath(text, "mbox:"));
        }
        if (lower.startsWith("eml:")) {
            return new StoreSpec(Kind.EML, text, null, null, 0, null, localPath(text, "eml:"));
        }
        int schemeEnd = text.indexOf("://");
        if (schemeEnd > 0 && Pop3Specs.isPop3(lower.substring(0, schemeEnd))) {
            return Pop3Specs.parse(text);
        }
        Security security = schemeEnd < 0 ? null : security(lower.substring(0, schemeEnd));
        if (security == null) {
            throw new UsageException("not a store (use imap://user@host, imaps://user@host,"
                    + " imap+starttls://user@host, maildir:/path, mbox:/path or eml:/path)");
        }
        ImapEndpoint endpoint = endpoint(text);
        if (endpoint.user() == null) {
            throw new UsageException("IMAP URI without a user (write imaps://user@host)");
        }
        return new StoreSpec(
                Kind.IMAP, text, endpoint.security(), endpoint.host(), endpoint.port(), endpoint.user(), null);
    }

    /**
     * The IMAP store's own parser (one for the library and the CLI), with this tool's wording for
     * each problem; like the parser's, no message repeats the text.
     */
    static ImapEndpoint endpoint(String uri) {
        try {
            return ImapEndpoint.parse(uri);
        } catch (ImapEndpoint.InvalidEndpointException e) {
            throw new UsageException(
                    switch (e.problem()) {
                        case NOT_IMAP -> "not a store (use imap://user@host, imaps://user@host,"
                                + " imap+starttls://user@host, maildir:/path, mbox:/path or eml:/path)";
                        case PASSWORD_IN_URI -> "a password does not belong in the URI (it would show in ps and the"
                                + " shell history): use --source-password-file, --source-password-env or the prompt";
                        case EMPTY_USER -> "IMAP URI without a user (write imaps://user@host)";
                        case BAD_USER_ESCAPE -> "the user name in the IMAP URI has a bad %-escape (write %40 for @)";
                        case BAD_HOST -> "the host is not a host name or address";
                        case NOT_JUST_A_SERVER -> "an IMAP server is host[:port], with nothing after it (no folder)";
                        case BAD_PORT -> "the port is not a number 1..65535";
                    });
        }
    }

    private static @Nullable Security security(String scheme) {
        return switch (scheme) {
            case "imap" -> Security.NONE;
            case "imap+starttls" -> Security.STARTTLS;
            case "imaps" -> Security.TLS;
            default -> null;
        };
    }

    private static Path localPath(String text, String prefix) {
        String rest = text.substring(prefix.length());
        if (rest.startsWith("//")) {
            rest = rest.substring(2); // maildir:///srv/mail as a URI would write it
        }
        if (rest.isEmpty()) {
            throw new UsageException("no path in " + text);
        }
        return Path.of(rest).toAbsolutePath().normalize();
    }

    /** The store as it names itself: with the default port spelled out, never with a password. */
    String canonical() {
        return switch (kind) {
            case IMAP -> requireNonNull(security).scheme() + "://"
                    + requireNonNull(user).replace("%", "%25").replace("@", "%40") + "@"
                    + (requireNonNull(host).contains(":") ? "[" + host + "]" : host) + ":" + port;
            case MAILDIR -> "maildir:" + path;
            case MBOX -> "mbox:" + path;
            case EML -> "eml:" + path;
            case POP3 -> Pop3Specs.canonical(this);
        };
    }

    /** The server, for a per-server connection cap: {@code host:port}; the path for files. */
    String server() {
        return kind == Kind.IMAP || kind == Kind.POP3 ? host + ":" + port : canonical();
    }

    /**
     * An IMAP server without a user, for the batch command: {@code imaps://host:port}, or a bare
     * {@code host[:port]} with {@code defaultScheme}; or a POP3 server ({@link Pop3Specs#server}).
     */
    static StoreSpec server(String text, String defaultScheme) {
        String lower = text.toLowerCase(Locale.ROOT);
        int schemeEnd = lower.indexOf("://");
        if (Pop3Specs.isPop3(schemeEnd < 0 ? defaultScheme : lower.substring(0, schemeEnd))) {
            return Pop3Specs.server(text, defaultScheme); // a batch's source (issue 17)
        }
        Security security = security(schemeEnd < 0 ? defaultScheme : lower.substring(0, schemeEnd));
        if (security == null) {
            throw new UsageException("not an IMAP or POP3 server (use host[:port] or imaps://host[:port])");
        }
        String rest = schemeEnd < 0 ? text : text.substring(schemeEnd + 3);
        if (rest.indexOf('@') >= 0) {
            throw new UsageException("a server, not an account, is needed here (host[:port] or imaps://host[:port])");
        }
        ImapEndpoint endpoint = endpoint(security.scheme() + "://" + rest);
        String uri = endpoint.uri();
        return new StoreSpec(Kind.IMAP, uri, security, endpoint.host(), endpoint.port(), null, null);
    }

    /** This IMAP or POP3 server with a user (the batch command's per-line accounts). */
    StoreSpec withUser(String newUser) {
        if (kind != Kind.IMAP && kind != Kind.POP3) {
            throw new UsageException("per-account users need IMAP or POP3 stores, not " + canonical());
        }
        if (newUser.isBlank()) {
            throw new UsageException("empty user name");
        }
        StoreSpec spec = new StoreSpec(kind, "", security, host, port, newUser, path);
        return new StoreSpec(kind, spec.canonical(), security, host, port, newUser, path);
    }

    /**
     * Opens the store; for IMAP this connects and logs in.
     *
     * @param writable whether the store is the target (a missing Maildir root is then created)
     */
    MailStore open(Credentials credentials, boolean writable) throws MailStoreException {
        return open(credentials, writable, null);
    }

    /**
     * Opens the store; for IMAP this connects and logs in, and with a {@code timeout} every wait
     * (connect, greeting, each answer) is at most that long and nothing is retried: for a login
     * test that must end in bounded time.
     */
    MailStore open(Credentials credentials, boolean writable, @Nullable Duration timeout) throws MailStoreException {
        return open(credentials, writable, timeout, null);
    }

    /**
     * Opens the store as above; a local store opened to be read only ({@code writable} false) is
     * never written to: a Maildir keeps the ids it gives its messages in {@code idDirectory} (beside
     * the checkpoints, so that they stay the same from pass to pass), or in a temporary directory
     * when that is null and the tree holds no ids of its own that can be used. With {@code
     * writable} false and {@code idDirectory} null a Maildir is opened as before (it may write its
     * {@code dovecot-uidlist}): only for {@code --write-source-ids}.
     */
    MailStore open(Credentials credentials, boolean writable, @Nullable Duration timeout, @Nullable Path idDirectory)
            throws MailStoreException {
        switch (kind) {
            case POP3 -> {
                return Pop3Specs.open(this, credentials, timeout, idDirectory);
            }
            case IMAP -> {
                ImapStore.Builder b = ImapStore.builder()
                        .host(requireNonNull(host))
                        .port(port)
                        .security(requireNonNull(security))
                        .username(requireNonNull(user))
                        .maxConnections(credentials.maxConnections())
                        .connectTimeout(timeout != null ? timeout : Duration.ofSeconds(20));
                if (timeout != null) {
                    b.readTimeout(timeout).connectionWait(timeout).retry(RetryPolicy.NONE);
                }
                if (credentials.preset() != null) {
                    b.preset(credentials.preset());
                }
                if (credentials.oauth2Token() != null) {
                    b.oauth2(credentials.oauth2Token());
                } else if (credentials.password() != null) {
                    b.password(credentials.password());
                } else {
                    throw new UsageException("no password for " + canonical());
                }
                if (!credentials.trustedSha256().isEmpty()) {
                    b.trustCertificateSha256(credentials.trustedSha256().toArray(String[]::new));
                }
                return b.connect();
            }
            case MAILDIR -> {
                if (!writable && !Files.isDirectory(requireNonNull(path))) {
                    throw new UsageException("no Maildir at " + path);
                }
                MaildirStore.Builder b =
                        MaildirStore.builder().root(requireNonNull(path)).createRoot(writable);
                if (!writable && idDirectory != null) {
                    b.readOnly(true).stateDirectory(idDirectory);
                }
                return b.build();
            }
            case EML -> {
                if (!writable && !Files.isDirectory(requireNonNull(path))) {
                    throw new UsageException("no directory of .eml files at " + path);
                }
                // A source is never written to: its ids come from its files (EML.md).
                return EmlStore.builder()
                        .root(requireNonNull(path))
                        .readOnly(!writable)
                        .build();
            }
            default -> {
                if (!writable && !Files.exists(path)) {
                    throw new UsageException("no mbox file or directory at " + path);
                }
                // The store detects an existing tree's layout (Thunderbird, .sbd or plain) and keeps it.
                return MboxStore.builder().root(requireNonNull(path)).build();
            }
        }
    }

    /**
     * Reads the first line of a secret file (a trailing line end is not part of the secret). The
     * error names the option, never the file: a name that does not exist may be a password typed
     * where the file name belongs.
     */
    static char[] readSecretFile(Path file, String option) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            String line = end < 0 ? text : text.substring(0, end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            return line.toCharArray();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UsageException("the file given to --" + option + " does not exist");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new UsageException("the file given to --" + option + " cannot be read: permission denied");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new UsageException("the file given to --" + option + " is not UTF-8 text");
        } catch (IOException e) {
            // Not e.getMessage(): it names the file.
            throw new UsageException("the file given to --" + option + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
