package org.mailsync.mbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;

/** What the mbox store leaves out or recovers from reaches the sync report, not just a log. */
class MboxSyncReportTest {
    @TempDir
    Path tmp;

    @Test
    void thunderbirdDeletedMessagesLeftOutAndDamageRecoveredFromAreInTheReport() throws Exception {
        Path profile = Files.createDirectories(tmp.resolve("Local Folders"));
        Files.writeString(
                profile.resolve("Inbox"),
                "From - Mon Jan  1 10:00:00 2024\nX-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n"
                        + "Subject: kept\n\nhello\n\n"
                        + "From - Tue Jan  2 10:00:00 2024\nX-Mozilla-Status: 0009\nX-Mozilla-Status2: 00000000\n"
                        + "Subject: deleted, not compacted\n\nbye\n\n"
                        + "From - not a date at all\nSubject: odd envelope line\n\ntext\n",
                StandardCharsets.ISO_8859_1);
        try (MboxStore source = MboxStore.builder()
                        .root(profile)
                        .layout(MboxLayout.THUNDERBIRD)
                        .build();
                InMemoryStore target = InMemoryStore.create("memory:new")) {
            SyncReport report = SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpointDirectory(tmp.resolve("checkpoints"))
                    .build()
                    .run();
            assertThat(report.copied()).isEqualTo(2);
            assertThat(report.notes()).anyMatch(n -> n.startsWith("source INBOX: 1 message(s) deleted in Thunderbird"));
            assertThat(report.notes()).anyMatch(n -> n.startsWith("source INBOX: ") && n.contains("date"));
            assertThat(report.toText()).contains("deleted in Thunderbird but not compacted");
        }
    }
}
