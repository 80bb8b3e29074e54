package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.engine.SyncFixture.message;
import static org.mailsync.engine.SyncFixture.put;
import static org.mailsync.testing.MailboxAssertions.assertSameMessages;
import static org.mailsync.testing.MailboxAssertions.snapshot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderMapping;
import org.mailsync.FolderPair;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.MailStoreException;
import org.mailsync.SpecialUse;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.spi.ForwardingMailStore;
import org.mailsync.testing.InstrumentedStore;

/**
 * Which source folder goes where: special-use automapping never merges two source folders
 * unless a rule the user wrote says so, and placeholder parents are not made real folders.
 */
class FolderPlanTest {
    @TempDir
    Path tmp;

    private static final FolderPath DRAFTS = FolderPath.of("Drafts");
    private static final FolderPath ENTWUERFE = FolderPath.of("Entwürfe");

    private static List<FolderPath> pairsOf(SyncReport report) {
        return report.folders().stream().map(r -> r.pair().target()).toList();
    }

    @Test
    void aFolderWithTheAttributeKeepsTheSpecialUseAndANameMatchKeepsItsName() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        SyncFixture.special(f.sourceData, DRAFTS, SpecialUse.DRAFTS);
        put(f.sourceData, DRAFTS, message("d1", "1"), Flags.of(Flag.DRAFT));
        put(f.sourceData, DRAFTS, message("d2", "2"), Flags.of(Flag.DRAFT));
        put(f.sourceData, ENTWUERFE, message("e1", "1"), Flags.NONE);
        SyncReport report = f.engine().build().run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertSameMessages(f.sourceData, DRAFTS, f.targetData, DRAFTS);
        assertSameMessages(f.sourceData, ENTWUERFE, f.targetData, ENTWUERFE);
        assertThat(report.notes())
                .anyMatch(n -> n.contains("Entwürfe not automapped") && n.contains("by attribute"))
                .anyMatch(n -> n.contains("Drafts automapped (\\Drafts) to Drafts"));
        // The same plan on the next pass, now that the target has both.
        SyncReport again = f.engine().build().run();
        assertThat(again.folders()).allMatch(r -> r.outcome() == FolderReport.Outcome.UNCHANGED);
        assertThat(pairsOf(again)).doesNotHaveDuplicates();
    }

    @Test
    void twoNamesForOneUseGoApartTheBetterNameWins() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        FolderPath sent = FolderPath.of("Sent");
        FolderPath gesendet = FolderPath.of("Gesendete Objekte");
        put(f.sourceData, sent, message("s1", "1"), Flags.of(Flag.SEEN));
        put(f.sourceData, gesendet, message("g1", "1"), Flags.of(Flag.SEEN));
        put(f.sourceData, gesendet.child("2023"), message("g2023", "1"), Flags.NONE);
        SyncReport report = f.engine().build().run();
        assertThat(pairsOf(report)).doesNotHaveDuplicates();
        assertSameMessages(f.sourceData, sent, f.targetData, sent);
        assertSameMessages(f.sourceData, gesendet, f.targetData, gesendet);
        assertSameMessages(f.sourceData, gesendet.child("2023"), f.targetData, gesendet.child("2023"));
        assertThat(report.notes())
                .anyMatch(n -> n.contains("Gesendete Objekte not automapped") && n.contains("better name match"));
    }

    @Test
    void theTargetsSpecialFolderNameTakenByAnotherSourceFolderIsNoMerge() throws Exception {
        // "Sent Items" has the attribute, and would go to the default name "Sent"; but the source
        // has a plain "Sent" too, which keeps its name: "Sent Items" keeps its own.
        SyncFixture f = new SyncFixture(tmp);
        FolderPath sentItems = FolderPath.of("Sent Items");
        FolderPath sent = FolderPath.of("Sent");
        SyncFixture.special(f.sourceData, sentItems, SpecialUse.SENT);
        put(f.sourceData, sentItems, message("si", "1"), Flags.NONE);
        put(f.sourceData, sent, message("s", "1"), Flags.NONE);
        SyncReport report = f.engine().build().run();
        assertThat(pairsOf(report)).doesNotHaveDuplicates();
        assertSameMessages(f.sourceData, sentItems, f.targetData, sentItems);
        assertSameMessages(f.sourceData, sent, f.targetData, sent);
        assertThat(report.notes()).anyMatch(n -> n.contains("Sent Items not automapped") && n.contains("kept as"));
    }

    @Test
    void aRenameTheUserWroteMergesOnPurposeAndTheReportSaysSo() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        SyncFixture.special(f.sourceData, DRAFTS, SpecialUse.DRAFTS);
        put(f.sourceData, DRAFTS, message("d1", "1"), Flags.NONE);
        put(f.sourceData, ENTWUERFE, message("e1", "1"), Flags.NONE);
        SyncReport report = f.engine()
                .folders(FolderMapping.builder().rename(ENTWUERFE, DRAFTS).build())
                .build()
                .run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(snapshot(f.targetData, DRAFTS)).hasSize(2);
        assertThat(report.notes()).anyMatch(n -> n.contains("all go into Drafts"));
    }

    /** Records the folders created on the target. */
    private static List<FolderPath> recordCreations(SyncFixture f) {
        List<FolderPath> created = java.util.Collections.synchronizedList(new ArrayList<>());
        f.target.hook(new InstrumentedStore.Hook() {
            @Override
            public void before(String op, FolderPath folder) {
                if (op.equals("createFolder")) {
                    created.add(folder);
                }
            }
        });
        return created;
    }

    @Test
    void anEmptyParentListedOnlyForItsChildrenIsCreatedOnlyAsTheirParent() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        FolderPath projects = FolderPath.of("Projects");
        // Created as a side effect, like Cyrus's automatically created parents: selectable, empty.
        put(f.sourceData, projects.child("2023"), message("p", "1"), Flags.NONE);
        put(f.sourceData, FolderPath.of("Empty"), message("gone", "1"), Flags.NONE);
        try (var empty = f.sourceData.openFolder(FolderPath.of("Empty"))) {
            empty.delete(List.of(org.mailsync.MessageUid.of(1)));
        }
        put(f.sourceData, FolderPath.of("Full"), message("full", "1"), Flags.NONE);
        put(f.sourceData, FolderPath.of("Full", "Child"), message("child", "1"), Flags.NONE);
        List<FolderPath> created = recordCreations(f);
        SyncReport report = f.engine().build().run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(report.folders()).extracting(FolderReport::pair).doesNotContain(new FolderPair(projects, projects));
        assertThat(created).doesNotContain(projects).contains(projects.child("2023"));
        assertThat(snapshot(f.targetData, projects.child("2023"))).hasSize(1);
        // An empty folder without children is a real folder; a parent holding mail too.
        assertThat(created).contains(FolderPath.of("Empty"), FolderPath.of("Full"));
        assertThat(snapshot(f.targetData, FolderPath.of("Full"))).hasSize(1);
        assertThat(report.notes()).anyMatch(n -> n.contains("Projects holds no messages"));
    }

    @Test
    void aNoselectParentIsNotCreatedAsAFolder() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        FolderPath archive = FolderPath.of("Old");
        put(f.sourceData, archive.child("2023"), message("a", "1"), Flags.NONE);
        // A server that lists the parent as \Noselect.
        ForwardingMailStore noselect = new ForwardingMailStore(f.source) {
            @Override
            public List<FolderInfo> listFolders() throws MailStoreException {
                return delegate().listFolders().stream()
                        .map(i -> i.path().equals(archive) ? new FolderInfo(i.path(), false, null, i.subscribed()) : i)
                        .toList();
            }
        };
        List<FolderPath> created = recordCreations(f);
        SyncReport report = SyncEngine.builder()
                .source(noselect)
                .target(f.target)
                .checkpoints(FileCheckpointStore.in(f.checkpoints))
                .retries(0, Duration.ZERO)
                .build()
                .run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(created).doesNotContain(archive).contains(archive.child("2023"));
        assertThat(snapshot(f.targetData, archive.child("2023"))).hasSize(1);
    }
}
