package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.engine.SyncFixture.message;
import static org.mailsync.engine.SyncFixture.put;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.SkippedItem;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.ForwardingMailFolder;
import org.mailsync.spi.ForwardingMailStore;
import org.mailsync.spi.MailFolder;

/** What a store skipped reaches the report and keeps the verdict from COMPLETE (exit 0). */
class SkippedItemsReportTest {
    @TempDir
    Path tmp;

    @Test
    void aFileTheStoreSkippedMakesThePassIncomplete() throws Exception {
        InMemoryStore source = InMemoryStore.create("memory:source");
        put(source, FolderPath.INBOX, message("hello", "x"), Flags.NONE);
        SkippedItem notMail = new SkippedItem("/src/notes.txt", "not an mbox file (no From line)");
        ForwardingMailStore skipping = new ForwardingMailStore(source) {
            @Override
            public List<SkippedItem> skipped() {
                return List.of(notMail);
            }
        };
        SyncReport report = run(skipping);
        assertThat(report.skipped()).containsExactly(notMail);
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE_WITH_SKIPS);
        assertThat(report.toText()).contains("skipped: /src/notes.txt: not an mbox file");
    }

    @Test
    void aFileAFolderSkippedIsNamedInItsFolderReport() throws Exception {
        InMemoryStore source = InMemoryStore.create("memory:source");
        put(source, FolderPath.INBOX, message("hello", "x"), Flags.NONE);
        SkippedItem link = new SkippedItem("/src/cur/1.eml", "a symbolic link (never followed)");
        ForwardingMailStore skipping = new ForwardingMailStore(source) {
            @Override
            public MailFolder openFolder(FolderPath path) throws MailStoreException {
                return new ForwardingMailFolder(super.openFolder(path)) {
                    @Override
                    public List<SkippedItem> skipped() {
                        return List.of(link);
                    }
                };
            }
        };
        SyncReport report = run(skipping);
        assertThat(report.folders()).singleElement().satisfies(f -> {
            assertThat(f.skipped()).containsExactly(link);
            assertThat(f.hasProblems()).isTrue();
        });
        assertThat(report.copied()).isEqualTo(1);
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE_WITH_SKIPS);
        assertThat(report.toText()).contains("skipped: /src/cur/1.eml");
    }

    @Test
    void nothingSkippedIsComplete() throws Exception {
        InMemoryStore source = InMemoryStore.create("memory:source");
        put(source, FolderPath.INBOX, message("hello", "x"), Flags.NONE);
        assertThat(run(source).verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
    }

    private SyncReport run(org.mailsync.spi.MailStore source) throws Exception {
        return SyncEngine.builder()
                .source(source)
                .target(InMemoryStore.create("memory:target"))
                .checkpoints(FileCheckpointStore.in(tmp.resolve("cp")))
                .build()
                .run();
    }
}
