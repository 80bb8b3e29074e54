package org.mailsync.maildir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;

/** A 27th keyword in one Maildir folder cannot be kept: the sync report says so. */
class MaildirSyncReportTest {
    @TempDir
    Path tmp;

    @Test
    void keywordsBeyondTwentySixAreReportedNotSilentlyLost() throws Exception {
        try (InMemoryStore source = InMemoryStore.create("memory:old");
                MaildirStore target =
                        MaildirStore.builder().root(tmp.resolve("Maildir")).build()) {
            try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
                for (int i = 0; i < 30; i++) {
                    Set<String> keywords = new TreeSet<>(Set.of("label" + i));
                    byte[] bytes = ("Subject: m" + i + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
                    try (RawMessage raw = RawMessage.of(bytes)) {
                        inbox.append(new AppendRequest(
                                raw, Flags.of(Set.of(), keywords), Instant.parse("2024-01-01T00:00:00Z")));
                    }
                }
            }
            SyncReport report = SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpointDirectory(tmp.resolve("checkpoints"))
                    .build()
                    .run();
            assertThat(report.copied()).isEqualTo(30);
            assertThat(report.notes())
                    .filteredOn(n -> n.startsWith("target INBOX: keyword ") && n.contains("at most 26"))
                    .hasSize(4);
        }
    }
}
