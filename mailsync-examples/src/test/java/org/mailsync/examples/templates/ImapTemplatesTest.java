package org.mailsync.examples.templates;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FolderMapping;
import org.mailsync.FolderPath;
import org.mailsync.MessageSelection;
import org.mailsync.SyncReport;
import org.mailsync.examples.MailboxVerifier;
import org.mailsync.imap.ImapStore;
import org.mailsync.maildir.MaildirStore;

/** The IMAP templates run against two GreenMail servers: migration, backup and restore. */
class ImapTemplatesTest {
    @RegisterExtension
    final GreenMailExtension oldServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @RegisterExtension
    final GreenMailExtension newServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path dir;

    @BeforeEach
    void accounts() throws Exception {
        oldServer.setUser("anna@alt.example", "anna", "alt");
        newServer.setUser("anna@neu.example", "anna", "neu");
        GreenMailAccounts.fill(oldServer, "alt");
        GreenMailAccounts.createParents(newServer, "neu", FolderPath.of("Projekte"));
    }

    @Test
    void imapToImapMigrationCopiesOnceAndARerunCopiesNothing() throws Exception {
        String from = GreenMailAccounts.endpoint(oldServer);
        String to = GreenMailAccounts.endpoint(newServer);

        SyncReport first = ImapToImapMigration.migrate(from, "alt".toCharArray(), to, "neu".toCharArray(), dir);
        SyncReport second = ImapToImapMigration.migrate(from, "alt".toCharArray(), to, "neu".toCharArray(), dir);

        assertThat(first.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(first.copied()).isEqualTo(7);
        assertThat(second.copied()).isZero();
        try (ImapStore source = GreenMailAccounts.open(oldServer, "alt");
                ImapStore target = GreenMailAccounts.open(newServer, "neu")) {
            assertThat(MailboxVerifier.verify(source, target, FolderMapping.defaults(), MessageSelection.all())
                            .clean())
                    .isTrue();
        }
    }

    @Test
    void backupToMaildirThenRestoreIntoAnEmptyAccountGivesTheSameMailbox() throws Exception {
        Path maildir = dir.resolve("Maildir");

        SyncReport backup = ImapBackupToMaildir.backup(
                GreenMailAccounts.endpoint(oldServer), "alt".toCharArray(), maildir, dir.resolve("backup-state"));
        assertThat(backup.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(maildir.resolve(".Gesendet/cur")).isDirectory();

        SyncReport restore = MaildirRestoreToImap.restore(
                maildir, GreenMailAccounts.endpoint(newServer), "neu".toCharArray(), dir.resolve("restore-state"));
        assertThat(restore.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(restore.copied()).isEqualTo(7);

        FolderMapping asIs = FolderMapping.builder().automapSpecialUse(false).build();
        try (ImapStore source = GreenMailAccounts.open(oldServer, "alt");
                MaildirStore backupStore = MaildirStore.builder().root(maildir).build();
                ImapStore restored = GreenMailAccounts.open(newServer, "neu")) {
            assertThat(MailboxVerifier.verify(source, backupStore, asIs, MessageSelection.all())
                            .clean())
                    .isTrue();
            assertThat(MailboxVerifier.verify(source, restored, asIs, MessageSelection.all())
                            .clean())
                    .isTrue();
            assertThat(restored.status(FolderPath.of("Projekte", "Büro")).messageCount())
                    .isEqualTo(1);
        }
    }

    @Test
    void restoringIntoTheAccountItCameFromCopiesNothingTwice() throws Exception {
        Path maildir = dir.resolve("Maildir");
        ImapBackupToMaildir.backup(
                GreenMailAccounts.endpoint(oldServer), "alt".toCharArray(), maildir, dir.resolve("backup-state"));

        SyncReport restore = MaildirRestoreToImap.restore(
                maildir, GreenMailAccounts.endpoint(oldServer), "alt".toCharArray(), dir.resolve("restore-state"));

        assertThat(restore.copied()).isZero();
        assertThat(restore.alreadyPresent()).isEqualTo(7);
        assertThat(Files.exists(maildir)).isTrue();
    }
}
