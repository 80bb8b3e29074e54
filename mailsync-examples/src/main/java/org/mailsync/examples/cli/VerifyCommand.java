package org.mailsync.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.mailsync.FolderMapping;
import org.mailsync.MailStoreException;
import org.mailsync.MessageSelection;
import org.mailsync.examples.MailboxVerifier;
import org.mailsync.examples.SourceCensus;
import org.mailsync.examples.VerifyReport;
import org.mailsync.spi.MailStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code mailsync verify SOURCE TARGET}: reads both sides in full and compares them per folder;
 * exits with {@link ExitCode#DIFFERENCES} when a message is missing, duplicated or differs.
 *
 * <p>Not thread-safe; picocli fills one instance per command line.
 */
@Command(
        name = "verify",
        synopsisHeading = "usage: ",
        customSynopsis = "mailsync verify SOURCE TARGET [options]",
        description = {
            "compare source and target message by message",
            "",
            "Compares per folder: counts, messages missing, duplicated, bytes differing (SHA-256),",
            "flags and internal dates differing. Give the folder and selection options of the migration.",
            "A maildir: or mbox: source is also counted file by file, without the store's code: every",
            "file must be a message of a folder that was read (links, files that are not mail, folders",
            "the store skipped or read only in part are listed as unaccounted, and verify exits 5).",
            "A folder that cannot be opened is reported as such; the others are still compared."
        },
        descriptionHeading = "%n",
        parameterListHeading = "%n",
        optionListHeading = "%noptions:%n",
        sortOptions = false,
        footerHeading = "%n",
        footer = CredentialOptions.NO_PASSWORD_OPTION)
final class VerifyCommand implements Mailsync.Subcommand {
    @Parameters(
            index = "0",
            paramLabel = "SOURCE",
            converter = OptionTypes.Store.class,
            description = {MigrateCommand.STORES_1, MigrateCommand.STORES_2})
    StoreSpec source;

    @Parameters(
            index = "1",
            paramLabel = "TARGET",
            converter = OptionTypes.Store.class,
            description = {MigrateCommand.STORES_1, MigrateCommand.STORES_2})
    StoreSpec target;

    @Mixin
    MappingOptions mapping = new MappingOptions();

    @Mixin
    CredentialOptions credentials = new CredentialOptions();

    @Mixin
    TrustOptions trust = new TrustOptions();

    @Mixin
    Mailsync.HelpOption help = new Mailsync.HelpOption();

    @Override
    public String wrongArguments() {
        return "verify needs SOURCE and TARGET";
    }

    @Override
    public ExitCode call(Terminal t) {
        FolderMapping folders = mapping.folders();
        MessageSelection selection = mapping.selection();
        StoreSpec.Credentials sc = credentials.of(Side.SOURCE, source, trust, t, 2);
        StoreSpec.Credentials tc = credentials.of(Side.TARGET, target, trust, t, 2);
        return verify(source, sc, target, tc, folders, selection, t);
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
                        case MAILDIR -> SourceCensus.maildir(java.util.Objects.requireNonNull(source.path()));
                        case MBOX -> SourceCensus.mbox(java.util.Objects.requireNonNull(source.path()));
                        case EML -> SourceCensus.eml(java.util.Objects.requireNonNull(source.path()));
                        case IMAP, POP3 -> null;
                    };
            VerifyReport report = MailboxVerifier.verify(from, to, mapping, selection, census);
            t.out().print(report.toText());
            return report.clean() ? ExitCode.OK : ExitCode.DIFFERENCES;
        } catch (MailStoreException e) {
            t.err().println("mailsync: verify: " + e.getMessage());
            return ExitCode.of(e);
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
