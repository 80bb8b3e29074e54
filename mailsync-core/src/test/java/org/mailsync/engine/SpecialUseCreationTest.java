package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.engine.SyncFixture.message;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.SpecialUse;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;

/**
 * A target folder that holds a special use is created with it (IMAP CREATE-SPECIAL-USE where the
 * server has it), and only one source folder's target gets each use (issue 13.7).
 */
class SpecialUseCreationTest {
    @TempDir
    Path tmp;

    @Test
    void theFolderHoldingAUseIsCreatedWithItAndASecondCandidateIsNot() throws Exception {
        InMemoryStore source = InMemoryStore.create("memory:source");
        source.createFolder(FolderPath.of("Drafts"), SpecialUse.DRAFTS);
        source.createFolder(FolderPath.of("Entwürfe"));
        source.createFolder(FolderPath.of("Gesendete Objekte"));
        SyncFixture.put(source, FolderPath.of("Drafts"), message("d", "x"), Flags.NONE);
        SyncFixture.put(source, FolderPath.of("Entwürfe"), message("e", "x"), Flags.NONE);
        SyncFixture.put(source, FolderPath.of("Gesendete Objekte"), message("s", "x"), Flags.NONE);
        InMemoryStore target = InMemoryStore.create("memory:target");

        SyncReport report = SyncEngine.builder()
                .source(source)
                .target(target)
                .checkpoints(FileCheckpointStore.in(tmp.resolve("cp")))
                .build()
                .run();

        assertThat(report.copied()).isEqualTo(3);
        Map<SpecialUse, Long> uses = target.listFolders().stream()
                .filter(f -> f.specialUse() != null)
                .collect(Collectors.groupingBy(FolderInfo::specialUse, Collectors.counting()));
        assertThat(uses).containsEntry(SpecialUse.DRAFTS, 1L).containsEntry(SpecialUse.SENT, 1L);
        assertThat(target.listFolders().stream()
                        .filter(f -> f.specialUse() == SpecialUse.DRAFTS)
                        .map(FolderInfo::path))
                .containsExactly(FolderPath.of("Drafts"));
    }
}
