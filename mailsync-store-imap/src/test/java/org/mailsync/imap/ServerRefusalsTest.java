package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.testing.DovecotServer;

/**
 * What a server says beside the data: a full mailbox that refuses APPENDs (with or without a
 * response code), and {@code [ALERT]} texts, on {@link CourierLikeImapServer}.
 */
class ServerRefusalsTest {
    @TempDir
    Path tmp;

    private SyncReport sync(InMemoryStore source, ImapStore target) throws Exception {
        return SyncEngine.builder()
                .source(source)
                .target(target)
                .checkpointDirectory(tmp.resolve("checkpoints"))
                .retries(0, Duration.ZERO)
                .build()
                .run();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Mailbox full",
                "You exceeded your mail quota.",
                "[OVERQUOTA] Quota exceeded (mailbox for user is full)"
            })
    void aFullMailboxStopsTheFolderAfterTheFirstRefusal(String refusal) throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer().quota(5, refusal)) {
            InMemoryStore source = CourierLikeSyncTest.source(12);
            SyncReport report;
            try (ImapStore target = CourierLikeSyncTest.target(server)) {
                report = sync(source, target);
            }
            for (FolderPath folder : java.util.List.of(FolderPath.INBOX, FolderPath.of("Archive"))) {
                FolderReport f = CourierLikeSyncTest.report(report, folder);
                assertThat(f.outcome()).isEqualTo(FolderReport.Outcome.FAILED);
                assertThat(f.error()).contains("over quota").contains(refusal);
                assertThat(f.failures()).isEmpty();
            }
            assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.FAILED);
            // Five stored and one refused per folder: nothing after the first refusal was tried.
            assertThat(server.commands().stream().filter(c -> c.startsWith("APPEND ")))
                    .hasSize(12);
            assertThat(server.messages("INBOX")).hasSize(5);
        }
    }

    /** A real quota: Dovecot's count backend, at most 5 messages per user. */
    @Test
    @Tag("dovecot")
    void aDovecotOverQuotaStopsTheFolderAfterTheFirstRefusal() throws Exception {
        DovecotServer.Options options = DovecotServer.Options.defaults()
                .withExtraConfig("mail_plugins = $mail_plugins quota\n"
                        + "protocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}\n"
                        + "plugin {\n  quota = count:User quota\n  quota_rule = *:messages=5\n"
                        + "  quota_vsizes = yes\n}");
        try (DovecotServer dovecot = DovecotContractTest.Dovecots.startWithUsers("q", options)) {
            InMemoryStore source = CourierLikeSyncTest.source(12);
            SyncReport report;
            try (ImapStore target = DovecotContractTest.Dovecots.store(dovecot, "q1")) {
                report = SyncEngine.builder()
                        .source(source)
                        .target(target)
                        .checkpointDirectory(tmp.resolve("checkpoints"))
                        .retries(0, Duration.ZERO)
                        .parallelism(1)
                        .build()
                        .run();
            }
            assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.FAILED);
            assertThat(report.copied()).isEqualTo(5);
            assertThat(report.folders()).allSatisfy(f -> {
                assertThat(f.outcome()).isEqualTo(FolderReport.Outcome.FAILED);
                assertThat(f.error()).contains("over quota");
                assertThat(f.failures()).isEmpty();
            });
        }
    }

    @Test
    void serverAlertsAreInTheReportOncePerTextWithTheirCount() throws Exception {
        try (CourierLikeImapServer server =
                new CourierLikeImapServer().alertOnAppend("Your mailbox is 95% full, please delete mail")) {
            InMemoryStore source = CourierLikeSyncTest.source(12);
            SyncReport report;
            try (ImapStore target = CourierLikeSyncTest.target(server)) {
                report = sync(source, target);
            }
            assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
            for (String folder : java.util.List.of("INBOX", "Archive")) {
                assertThat(report.notes())
                        .containsOnlyOnce("target " + folder
                                + ": the server says (ALERT, 12 times): Your mailbox is 95% full, please delete mail");
            }
        }
    }

    @Test
    void alertsInAnswersToCommandsAngusMailReadsAreReportedToo() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer().alertOnSelect("Maintenance at 22:00 UTC")) {
            InMemoryStore source = CourierLikeSyncTest.source(2);
            SyncReport report;
            try (ImapStore target = CourierLikeSyncTest.target(server)) {
                report = sync(source, target);
            }
            assertThat(report.notes()).anySatisfy(n -> assertThat(n)
                    .startsWith("target ")
                    .contains("the server says (ALERT")
                    .endsWith("): Maintenance at 22:00 UTC"));
        }
    }

    @Test
    void aRefusalAboutOneMessageSkipsOnlyThatMessage() throws Exception {
        assertThat(ImapMailFolder.quotaRefusal("NO [LIMIT] Message size exceeded"))
                .isFalse();
        assertThat(ImapMailFolder.quotaRefusal("NO [TOOBIG] too big")).isFalse();
        assertThat(ImapMailFolder.quotaRefusal("NO Mailbox is full")).isTrue();
        assertThat(ImapMailFolder.quotaRefusal("NO [OVERQUOTA] storage")).isTrue();
    }
}
