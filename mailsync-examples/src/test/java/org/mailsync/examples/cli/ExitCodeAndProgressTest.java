package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mailsync.AuthenticationException;
import org.mailsync.ConnectionException;
import org.mailsync.ErrorContext;
import org.mailsync.FolderPair;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.MessageFailure;
import org.mailsync.MessageUid;
import org.mailsync.SyncReport;

/** How a pass's report becomes an exit code, and what the progress output looks like. */
class ExitCodeAndProgressTest {
    private static final FolderPair INBOX = new FolderPair(FolderPath.INBOX, FolderPath.INBOX);

    private static SyncReport report(FolderReport.Outcome outcome, int failures, String accountError) {
        ImmutableList<MessageFailure> list = failures == 0
                ? ImmutableList.of()
                : ImmutableList.of(new MessageFailure(
                        ErrorContext.of("imap://a@h", FolderPath.INBOX, MessageUid.of(7)), "too large"));
        FolderReport folder = new FolderReport(
                INBOX,
                outcome,
                3,
                300,
                0,
                0,
                0,
                0,
                0,
                list,
                ImmutableList.of(),
                outcome == FolderReport.Outcome.FAILED ? "x" : null,
                Duration.ZERO);
        return new SyncReport(
                ImmutableList.of(folder), ImmutableList.of(), ImmutableList.of(), accountError, Duration.ZERO);
    }

    @Test
    void verdictsMapToExitCodes() {
        ErrorContext ctx = ErrorContext.of("imap://a@h");
        assertThat(MigrateCommand.exitCode(report(FolderReport.Outcome.SYNCED, 0, null), null))
                .isEqualTo(ExitCode.OK);
        assertThat(MigrateCommand.exitCode(report(FolderReport.Outcome.SYNCED, 1, null), null))
                .isEqualTo(ExitCode.PARTIAL);
        assertThat(MigrateCommand.exitCode(report(FolderReport.Outcome.FAILED, 0, null), null))
                .isEqualTo(ExitCode.PARTIAL);
        assertThat(MigrateCommand.exitCode(
                        report(FolderReport.Outcome.FAILED, 0, "login refused"),
                        new AuthenticationException(ctx, "login refused", null)))
                .isEqualTo(ExitCode.AUTHENTICATION);
        assertThat(MigrateCommand.exitCode(
                        report(FolderReport.Outcome.FAILED, 0, null), new ConnectionException(ctx, "reset", null)))
                .isEqualTo(ExitCode.CONNECTION);
        assertThat(MigrateCommand.exitCode(report(FolderReport.Outcome.FAILED, 0, "disk full"), null))
                .isEqualTo(ExitCode.FAILURE);
        // A connection failure that a retry overcame does not spoil a complete pass.
        assertThat(MigrateCommand.exitCode(
                        report(FolderReport.Outcome.SYNCED, 0, null), new ConnectionException(ctx, "reset", null)))
                .isEqualTo(ExitCode.OK);
    }

    @Test
    void onATerminalABarIsRedrawnInPlaceWithCountsRateAndEta() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong();
        ProgressListener bar =
                new ProgressListener(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, "migrate", now::get);

        bar.runStarted(1);
        bar.folderStarted(INBOX, 4, 4_000_000);
        now.addAndGet(1_000_000_000L);
        bar.messageCopied(INBOX, MessageUid.of(1), 1_000_000);
        bar.messageCopied(INBOX, MessageUid.of(2), 1_000_000);
        bar.runFinished(report(FolderReport.Outcome.SYNCED, 0, null));

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("\rmigrate [");
        assertThat(out).contains("2/4 msgs  2.0/4.0 MB  2.0 MB/s  ETA 0:01");
        assertThat(out).endsWith(System.lineSeparator());
    }

    @Test
    void withoutATerminalItLogsOneLinePerFolder() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressListener log =
                new ProgressListener(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "migrate", () -> 0L);

        log.runStarted(1);
        log.folderFinished(
                report(FolderReport.Outcome.SYNCED, 0, null).folders().get(0));

        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .doesNotContain("\r")
                .contains("migrate: 1 folders to sync")
                .contains("migrate: INBOX -> INBOX: SYNCED, 3 copied, 0 already present");
    }
}
