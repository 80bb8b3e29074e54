package org.mailsync.examples.templates;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.SyncReport;
import org.mailsync.imap.ImapStore;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/** The Thunderbird import template reads a Local Folders tree and files it under one IMAP folder. */
class ThunderbirdImportToImapTest {
    @RegisterExtension
    final GreenMailExtension server = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    private static String message(String subject, String status, String keys) {
        return "From - Mon Jan 08 10:00:00 2024\n"
                + "X-Mozilla-Status: " + status + "\n"
                + "X-Mozilla-Status2: 00000000\n"
                + (keys.isEmpty() ? "" : "X-Mozilla-Keys: " + keys + "\n")
                + "From: Jürgen <j@example.de>\n"
                + "Subject: " + subject + "\n"
                + "Message-ID: <" + subject.replace(' ', '.') + "@example.de>\n"
                + "Date: Mon, 8 Jan 2024 10:00:00 +0100\n"
                + "\n"
                + "Grüße, " + subject + "\n>From the archive\n\n";
    }

    @Test
    void localFoldersLandUnderTheImportFolderWithReadMarksAndTags(@TempDir Path dir) throws Exception {
        server.setUser("anna@neu.example", "anna", "neu");
        Path local = Files.createDirectories(dir.resolve("Local Folders"));
        Files.writeString(
                local.resolve("Inbox"),
                message("read one", "0001", "$label1") + message("new one", "0000", ""),
                StandardCharsets.UTF_8);
        Files.writeString(local.resolve("Inbox.msf"), "// Mork summary, ignored", StandardCharsets.UTF_8);
        Path sbd = Files.createDirectories(local.resolve("Inbox.sbd"));
        Files.writeString(sbd.resolve("Rechnungen"), message("invoice", "0005", ""), StandardCharsets.UTF_8);

        GreenMailAccounts.createParents(server, "neu", FolderPath.of("Thunderbird", "INBOX"));
        SyncReport report = ThunderbirdImportToImap.importFolders(
                local, GreenMailAccounts.endpoint(server), "neu".toCharArray(), "Thunderbird", dir.resolve("state"));

        assertThat(report.verdict()).as(report.toText()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(report.copied()).isEqualTo(3);
        try (ImapStore store = GreenMailAccounts.open(server, "neu");
                MailFolder inbox = store.openFolder(FolderPath.of("Thunderbird", "INBOX"))) {
            List<MessageInfo> infos = new ArrayList<>();
            inbox.list(MessageQuery.all(), infos::addAll);
            assertThat(infos).hasSize(2);
            assertThat(infos.get(0).flags().contains(Flag.SEEN)).isTrue();
            assertThat(infos.get(0).flags().containsKeyword("$label1")).isTrue();
            assertThat(infos.get(1).flags().contains(Flag.SEEN)).isFalse();
            assertThat(store.status(FolderPath.of("Thunderbird", "INBOX", "Rechnungen"))
                            .messageCount())
                    .isEqualTo(1);
        }
    }
}
