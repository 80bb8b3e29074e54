package org.mailsync.examples.cli;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.mailsync.FolderMapping;
import org.mailsync.MailStoreException;
import org.mailsync.MessageSelection;
import org.mailsync.examples.MailboxVerifier;
import org.mailsync.examples.SourceCensus;
import org.mailsync.examples.VerifyReport;
import org.mailsync.spi.MailStore;

/**
 * {@code mailsync verify SOURCE TARGET}: reads both sides in full and compares them per folder;
 * exits with {@link ExitCode#DIFFERENCES} when a message is missing, duplicated or differs.
 *
 * <p>Thread-safe (stateless).
 */
final class VerifyCommand {
    static final ImmutableSet<String> FLAGS = ImmutableSet.of("no-automap", "help");
    static final ImmutableSet<String> VALUED = ImmutableSet.<String>builder()
            .addAll(CommonOptions.CREDENTIAL_OPTIONS)
            .addAll(CommonOptions.MAPPING_OPTIONS)
            .build();

    static final String HELP = "usage: mailsync verify SOURCE TARGET [options]\n"
            + "  compares per folder: counts, messages missing, duplicated, bytes differing (SHA-256),\n"
            + "  flags and internal dates differing. Give the folder and selection options of the migration.\n"
            + "  A maildir: or mbox: source is also counted file by file, without the store's code: every\n"
            + "  file must be a message of a folder that was read (links, files that are not mail, folders\n"
            + "  the store skipped or read only in part are listed as unaccounted, and verify exits 5).\n"
            + "  A folder that cannot be opened is reported as such; the others are still compared.\n"
            + CommonOptions.HELP_MAPPING
            + CommonOptions.HELP_CREDENTIALS;

    private VerifyCommand() {}

    static ExitCode run(List<String> args, Terminal t) {
        Options o = Options.parse(args, FLAGS, VALUED, CommonOptions.REPEATABLE);
        if (o.flag("help")) {
            t.out().print(HELP);
            return ExitCode.OK;
        }
        if (o.positional().size() != 2) {
            throw new UsageException("verify needs SOURCE and TARGET\n" + HELP);
        }
        StoreSpec source = StoreSpec.parse(o.positional().get(0));
        StoreSpec target = StoreSpec.parse(o.positional().get(1));
        FolderMapping mapping = CommonOptions.mapping(o);
        MessageSelection selection = CommonOptions.selection(o);
        StoreSpec.Credentials sc = CommonOptions.credentials("source", source, o, t, 2);
        StoreSpec.Credentials tc = CommonOptions.credentials("target", target, o, t, 2);
        return verify(source, sc, target, tc, mapping, selection, t);
    }

    static ExitCode verify(
            StoreSpec source,
            StoreSpec.Credentials sc,
            StoreSpec target,
            StoreSpec.Credentials tc,
            FolderMapping mapping,
            MessageSelection selection,
            Terminal t) {
        MailStore from = null;
        MailStore to = null;
        Path ids = null;
        try {
            // Verifying writes nothing into either side: a Maildir that needs ids it cannot read
            // from its own files gets them in a temporary directory, removed afterwards.
            ids = Files.createTempDirectory("mailsync-verify-ids");
            from = source.open(sc, false, null, ids.resolve("source"));
            // Not writable: verifying must not create the target it is looking for.
            to = target.open(tc, false, null, ids.resolve("target"));
            // A local source is also counted without the store code, so that what the store
            // skipped cannot verify OK.
            SourceCensus census =
                    switch (source.kind()) {
                        case MAILDIR -> SourceCensus.maildir(requireNonNull(source.path()));
                        case MBOX -> SourceCensus.mbox(requireNonNull(source.path()));
                        case IMAP -> null;
                    };
            VerifyReport report = MailboxVerifier.verify(from, to, mapping, selection, census);
            t.out().print(report.toText());
            return report.clean() ? ExitCode.OK : ExitCode.DIFFERENCES;
        } catch (MailStoreException e) {
            t.err().println("mailsync: verify: " + e.getMessage());
            return CommonOptions.exitCodeFor(e);
        } catch (IOException e) {
            t.err().println("mailsync: verify: cannot walk the source " + source.path() + ": " + e);
            return ExitCode.FAILURE;
        } finally {
            MigrateCommand.closeQuietly(from, t);
            MigrateCommand.closeQuietly(to, t);
            deleteQuietly(ids);
        }
    }

    private static void deleteQuietly(@Nullable Path dir) {
        if (dir == null) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory of ids left behind harms nothing.
        }
    }
}
