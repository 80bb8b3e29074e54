package org.mailsync.examples.cli;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.mailsync.MailStoreException;
import org.mailsync.SyncConfiguration;
import org.mailsync.SyncReport;
import org.mailsync.imap.ImapEndpoint;
import org.mailsync.imap.Security;
import org.mailsync.pop3.Pop3Deletion;
import org.mailsync.pop3.Pop3Security;
import org.mailsync.pop3.Pop3Store;
import org.mailsync.spi.MailStore;

/**
 * POP3 sources on the command line: {@code pop3://user@host[:port]}, {@code pop3s://...} and
 * {@code pop3+stls://...} (a {@link StoreSpec} of kind POP3, whose {@code security} holds the TLS
 * mode as IMAP's enum: NONE, STARTTLS for STLS, TLS), and {@code --pop3-delete-after-copy}.
 *
 * <p>Thread-safe (stateless).
 */
final class Pop3Specs {
    private Pop3Specs() {}

    static boolean isPop3(String scheme) {
        return Pop3Store.securityOf(scheme).isPresent();
    }

    /** Parses a POP3 URI, with the IMAP parser's checks (user, host, port, no password, no path). */
    static StoreSpec parse(String text) {
        int schemeEnd = text.indexOf("://");
        Pop3Security pop3 = Pop3Store.securityOf(text.substring(0, schemeEnd)).orElseThrow();
        Security security = imap(pop3);
        ImapEndpoint endpoint = StoreSpec.endpoint(security.scheme() + text.substring(schemeEnd));
        if (endpoint.user() == null) {
            throw new UsageException("POP3 URI without a user (write pop3s://user@host)");
        }
        String authority = text.substring(schemeEnd + 3);
        String hostPart = authority.substring(authority.lastIndexOf('@') + 1);
        boolean portGiven = hostPart.startsWith("[") ? hostPart.contains("]:") : hostPart.contains(":");
        int port = portGiven ? endpoint.port() : pop3.defaultPort();
        StoreSpec spec = new StoreSpec(StoreSpec.Kind.POP3, "", security, endpoint.host(), port, endpoint.user(), null);
        return new StoreSpec(
                StoreSpec.Kind.POP3, canonical(spec), security, endpoint.host(), port, endpoint.user(), null);
    }

    /**
     * A POP3 server without a user, for the batch command: {@code pop3s://host[:port]}, or a bare
     * {@code host[:port]} with {@code defaultScheme} (one of the three POP3 schemes).
     */
    static StoreSpec server(String text, String defaultScheme) {
        int schemeEnd = text.indexOf("://");
        String scheme =
                (schemeEnd < 0 ? defaultScheme : text.substring(0, schemeEnd)).toLowerCase(java.util.Locale.ROOT);
        Pop3Security pop3 = Pop3Store.securityOf(scheme).orElseThrow();
        String rest = schemeEnd < 0 ? text : text.substring(schemeEnd + 3);
        if (rest.indexOf('@') >= 0) {
            throw new UsageException("a server, not an account, is needed here (host[:port] or pop3s://host[:port])");
        }
        Security security = imap(pop3);
        ImapEndpoint endpoint = StoreSpec.endpoint(security.scheme() + "://" + rest);
        boolean portGiven = rest.startsWith("[") ? rest.contains("]:") : rest.contains(":");
        int port = portGiven ? endpoint.port() : pop3.defaultPort();
        StoreSpec spec = new StoreSpec(StoreSpec.Kind.POP3, "", security, endpoint.host(), port, null, null);
        return new StoreSpec(StoreSpec.Kind.POP3, canonical(spec), security, endpoint.host(), port, null, null);
    }

    /** The URI scheme of a POP3 spec ({@code pop3}, {@code pop3+stls}, {@code pop3s}). */
    static String scheme(StoreSpec spec) {
        return pop3(requireNonNull(spec.security())).scheme();
    }

    /**
     * Whether a POP3 store tells a folder's size without reading every message: only if it
     * overrides {@link MailStore#folderSize} (the default lists the folder, which over POP3 means a
     * TOP per message and ids written beside the checkpoints: no preflight).
     */
    static boolean measuresSizes(MailStore store) {
        try {
            return store.getClass()
                            .getMethod("folderSize", org.mailsync.FolderPath.class, long.class)
                            .getDeclaringClass()
                    != MailStore.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static Security imap(Pop3Security pop3) {
        return switch (pop3) {
            case NONE -> Security.NONE;
            case STLS -> Security.STARTTLS;
            case TLS -> Security.TLS;
        };
    }

    private static Pop3Security pop3(Security security) {
        return switch (security) {
            case NONE -> Pop3Security.NONE;
            case STARTTLS -> Pop3Security.STLS;
            case TLS -> Pop3Security.TLS;
        };
    }

    /** As the POP3 store names the account: {@code pop3s://user@host:995} (a server: no user). */
    static String canonical(StoreSpec spec) {
        String host = requireNonNull(spec.host());
        String user = spec.user();
        return pop3(requireNonNull(spec.security())).scheme() + "://"
                + (user == null ? "" : user.replace("%", "%25").replace("@", "%40") + "@")
                + (host.contains(":") ? "[" + host + "]" : host) + ":" + spec.port();
    }

    /**
     * Opens a POP3 source; its message ids live in {@code idDirectory} (beside the checkpoints).
     * Logs in once, so that a wrong password or certificate shows before the pass.
     */
    static MailStore open(
            StoreSpec spec, StoreSpec.Credentials credentials, @Nullable Duration timeout, @Nullable Path idDirectory)
            throws MailStoreException {
        return builder(spec, credentials, timeout, idDirectory).connect();
    }

    private static Pop3Store.Builder builder(
            StoreSpec spec, StoreSpec.Credentials credentials, @Nullable Duration timeout, @Nullable Path idDirectory) {
        if (idDirectory == null) {
            throw new UsageException("a POP3 source keeps its message ids beside the checkpoints: give --checkpoints");
        }
        Pop3Store.Builder b = Pop3Store.builder()
                .host(requireNonNull(spec.host()))
                .port(spec.port())
                .security(pop3(requireNonNull(spec.security())))
                .username(requireNonNull(spec.user()))
                .stateDirectory(idDirectory)
                .connectTimeout(timeout != null ? timeout : Duration.ofSeconds(20));
        if (timeout != null) {
            b.readTimeout(timeout).greetingTimeout(timeout);
        }
        if (credentials.oauth2Token() != null) {
            b.oauth2(credentials.oauth2Token());
        } else if (credentials.password() != null) {
            b.password(credentials.password());
        } else {
            throw new UsageException("no password for " + spec.canonical());
        }
        if (!credentials.trustedSha256().isEmpty()) {
            b.trustCertificateSha256(credentials.trustedSha256().toArray(String[]::new));
        }
        return b;
    }

    /** Refuses {@code --pop3-delete-after-copy} where it cannot apply, before anything is opened. */
    static void check(RunOptions run, StoreSpec source) {
        if (!run.pop3DeleteAfterCopy) {
            return;
        }
        if (source.kind() != StoreSpec.Kind.POP3) {
            throw new UsageException("--pop3-delete-after-copy needs a POP3 source (pop3://, pop3s://, pop3+stls://)");
        }
        if (run.mirrorDeletes) {
            throw new UsageException("--pop3-delete-after-copy cannot go with --mirror-deletes: the next pass would"
                    + " delete on the target every message deleted on the POP3 server");
        }
    }

    /**
     * After a pass with {@code --pop3-delete-after-copy}: deletes on the POP3 server what the target
     * holds; the report gets notes that say what was deleted and kept, and a failure to delete
     * makes the exit code worse.
     */
    static MigrateCommand.Result deleteCopied(
            StoreSpec source,
            StoreSpec.Credentials credentials,
            Path idDirectory,
            SyncConfiguration configuration,
            SyncReport report,
            ExitCode code,
            Terminal t) {
        ImmutableList.Builder<String> notes = ImmutableList.<String>builder().addAll(report.notes());
        ExitCode result = code;
        try {
            Pop3Store store = builder(source, credentials, null, idDirectory)
                    .deleteAfterCopy(true)
                    .build();
            Pop3Deletion done = store.deleteCopied(configuration, report);
            notes.add("POP3 server " + source.canonical() + ": " + done.deleted()
                    + " messages deleted (each found on the target first), " + done.kept() + " kept");
            done.notes().forEach(n -> notes.add("POP3 server: " + n));
        } catch (MailStoreException e) {
            t.err().println("mailsync: deleting copied messages on " + source.canonical() + ": " + e.getMessage());
            notes.add("POP3 server " + source.canonical() + ": nothing deleted: " + e.getMessage());
            result = code.worse(ExitCode.of(e));
        }
        SyncReport withNotes = new SyncReport(
                report.folders(), report.skipped(), notes.build(), report.accountError(), report.duration());
        return new MigrateCommand.Result(result, withNotes, "");
    }
}
