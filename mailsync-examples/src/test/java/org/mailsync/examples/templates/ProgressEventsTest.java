package org.mailsync.examples.templates;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;

/** The progress listener template sees every folder and every copied message. */
class ProgressEventsTest {
    @Test
    void reportsTheStartEachFolderEveryHundredMessagesAndTheEnd(@TempDir Path dir) throws Exception {
        InMemoryStore source = MemoryMailboxes.filled("old", 120);
        List<String> lines = new CopyOnWriteArrayList<>();
        ProgressEvents progress = new ProgressEvents(lines::add);

        SyncReport report = SyncEngine.builder()
                .source(source)
                .target(InMemoryStore.create("new"))
                .checkpointDirectory(dir)
                .listener(progress)
                .build()
                .run();

        assertThat(progress.copied()).isEqualTo(report.copied()).isEqualTo(240);
        assertThat(progress.bytesCopied()).isEqualTo(report.copiedBytes());
        assertThat(lines.get(0)).isEqualTo("starting: 2 folders");
        assertThat(lines)
                .contains("INBOX -> INBOX: 120 messages to copy ("
                        + report.folders().stream()
                                .filter(f -> f.pair().source().isInbox())
                                .findFirst()
                                .orElseThrow()
                                .copiedBytes()
                        + " bytes)")
                // The total grows as folders are listed, so it may be less than 240 at the 100th.
                .anyMatch(l -> l.matches("100 of \\d+ messages copied so far"))
                .anyMatch(l -> l.matches("200 of \\d+ messages copied so far"))
                .contains("Archiv -> Archive: SYNCED, 120 copied");
        assertThat(lines.get(lines.size() - 1)).startsWith("finished: COMPLETE, 240 messages");
    }
}
