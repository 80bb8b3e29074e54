package org.mailsync.examples.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.mailsync.MailStoreException;
import org.mailsync.imap.ImapStore;
import org.mailsync.imap.Security;
import org.mailsync.maildir.MaildirStore;
import org.mailsync.mbox.MboxLayout;
import org.mailsync.mbox.MboxStore;
import org.mailsync.spi.MailStore;

/**
 * A store named on the command line: {@code imap://user@host:port}, {@code imaps://...}, {@code
 * imap+starttls://...}, {@code maildir:/path} or {@code mbox:/path} (a file, a directory of files,
 * or a Thunderbird profile folder, recognised by its {@code .msf} files).
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
        MBOX
    }

    /** How to log in to an IMAP store: a password supplier or an OAuth2 token supplier. */
    record Credentials(
            @Nullable Supplier<char[]> password,
            @Nullable Supplier<String> oauth2Token,
            List<String> trustedSha256,
            int maxConnections) {}

    static StoreSpec parse(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("maildir:")) {
            return new StoreSpec(Kind.MAILDIR, text, null, null, 0, null, localPath(text, "maildir:"));
        }
        if (lower.startsWith("mbox:")) {
            return new StoreSpec(Kind.MBOX, text, null, null, 0, null, localPath(text, "mbox:"));
        }
        if (lower.startsWith("imap://") || lower.startsWith("imaps://") || lower.startsWith("imap+starttls://")) {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                throw new UsageException("not an IMAP URI: " + text + ": " + e.getMessage());
            }
            if (uri.getHost() == null) {
                throw new UsageException("IMAP URI without a host: " + text);
            }
            String user = uri.getUserInfo();
            if (user == null || user.isEmpty()) {
                throw new UsageException("IMAP URI without a user: " + text + " (write imaps://user@host)");
            }
            if (user.indexOf(':') >= 0) {
                throw new UsageException("a password does not belong in the URI (it would show in ps and the shell"
                        + " history): use --source-password-file, --source-password-env or the prompt");
            }
            Security security =
                    switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
                        case "imap" -> Security.NONE;
                        case "imap+starttls" -> Security.STARTTLS;
                        default -> Security.TLS;
                    };
            int port = uri.getPort() > 0 ? uri.getPort() : security.defaultPort();
            return new StoreSpec(Kind.IMAP, text, security, uri.getHost().toLowerCase(Locale.ROOT), port, user, null);
        }
        throw new UsageException("unknown store " + text
                + " (use imap://user@host, imaps://user@host, imap+starttls://user@host, maildir:/path or mbox:/path)");
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
            case IMAP -> security.scheme() + "://" + user.replace("%", "%25").replace("@", "%40") + "@" + host + ":"
                    + port;
            case MAILDIR -> "maildir:" + path;
            case MBOX -> "mbox:" + path;
        };
    }

    /** The server, for a per-server connection cap: {@code host:port}; the path for files. */
    String server() {
        return kind == Kind.IMAP ? host + ":" + port : canonical();
    }

    /**
     * An IMAP server without a user, for the batch command: {@code imaps://host:port}, or a bare
     * {@code host[:port]} with {@code defaultScheme}.
     */
    static StoreSpec server(String text, String defaultScheme) {
        String uri = text.contains("://") ? text : defaultScheme + "://" + text;
        int at = uri.indexOf('@');
        if (at >= 0) {
            throw new UsageException("a server, not an account, is needed here: " + text);
        }
        StoreSpec spec = parse(uri.replaceFirst("://", "://user@"));
        return new StoreSpec(Kind.IMAP, uri, spec.security, spec.host, spec.port, null, null);
    }

    /** This IMAP server with a user (the batch command's per-line accounts). */
    StoreSpec withUser(String newUser) {
        if (kind != Kind.IMAP) {
            throw new UsageException("per-account users need IMAP stores, not " + text);
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
        switch (kind) {
            case IMAP -> {
                ImapStore.Builder b = ImapStore.builder()
                        .host(host)
                        .port(port)
                        .security(security)
                        .username(user)
                        .maxConnections(credentials.maxConnections())
                        .connectTimeout(Duration.ofSeconds(20));
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
                if (!writable && !Files.isDirectory(path)) {
                    throw new UsageException("no Maildir at " + path);
                }
                return MaildirStore.builder().root(path).createRoot(writable).build();
            }
            default -> {
                if (!writable && !Files.exists(path)) {
                    throw new UsageException("no mbox file or directory at " + path);
                }
                MboxStore.Builder b = MboxStore.builder().root(path);
                if (isThunderbirdFolder(path)) {
                    b.layout(MboxLayout.THUNDERBIRD);
                }
                return b.build();
            }
        }
    }

    /** Thunderbird keeps a {@code .msf} summary beside each mbox file and {@code .sbd} sub-folders. */
    private static boolean isThunderbirdFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).anyMatch(n -> n.endsWith(".msf") || n.endsWith(".sbd"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads the first line of a secret file (a trailing line end is not part of the secret). */
    static char[] readSecretFile(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            String line = end < 0 ? text : text.substring(0, end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            return line.toCharArray();
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
