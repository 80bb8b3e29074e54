package org.mailsync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.engine.SyncFixture.message;
import static org.mailsync.engine.SyncFixture.put;
import static org.mailsync.testing.MailboxAssertions.assertSameMessages;
import static org.mailsync.testing.MailboxAssertions.snapshot;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.AuthenticationException;
import org.mailsync.Capability;
import org.mailsync.ConnectionException;
import org.mailsync.DeletionPolicy;
import org.mailsync.ErrorContext;
import org.mailsync.Flag;
import org.mailsync.FlagMapping;
import org.mailsync.FlagPolicy;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderMapping;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.FolderUnusableException;
import org.mailsync.IdentityStrategies;
import org.mailsync.MailStoreException;
import org.mailsync.MessageRejectedException;
import org.mailsync.MessageSelection;
import org.mailsync.SpecialUse;
import org.mailsync.SyncListener;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.testing.InstrumentedStore;
import org.mailsync.testing.TestMessages;

class SyncEngineTest {
    @TempDir
    Path tmp;

    private static final FolderPath ARCHIVE = FolderPath.of("Projekte", "2024", "Rechnungen");

    private SyncFixture fillTypicalMailbox() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        put(f.sourceData, FolderPath.INBOX, message("hello", "first"), Flags.of(Flag.SEEN));
        put(f.sourceData, FolderPath.INBOX, TestMessages.eightBitHeaders(), Flags.NONE);
        put(
                f.sourceData,
                FolderPath.INBOX,
                "From: x@example.org\r\nSubject: no id\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII),
                Flags.of(Set.of(Flag.FLAGGED), Set.of("$Forwarded", "Work")));
        put(f.sourceData, ARCHIVE, TestMessages.withAttachment(300_000, 1), Flags.of(Flag.SEEN, Flag.ANSWERED));
        put(f.sourceData, FolderPath.of("Entwürfe"), message("draft", "d"), Flags.of(Flag.DRAFT));
        return f;
    }

    @Test
    void fullCopyIsByteIdenticalWithFlagsAndDatesAndASecondPassListsNothing() throws Exception {
        SyncFixture f = fillTypicalMailbox();
        SyncReport first = f.engine().build().run();
        assertThat(first.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(first.copied()).isEqualTo(5);
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
        assertSameMessages(f.sourceData, ARCHIVE, f.targetData, ARCHIVE);
        // "Entwürfe" is a known name of the drafts folder: automapped to the target's drafts.
        assertSameMessages(f.sourceData, FolderPath.of("Entwürfe"), f.targetData, FolderPath.of("Drafts"));

        f.source.resetCounts();
        f.target.resetCounts();
        SyncReport second = f.engine().build().run();
        assertThat(second.copied()).isZero();
        assertThat(second.folders()).allMatch(r -> r.outcome() == FolderReport.Outcome.UNCHANGED);
        assertThat(f.source.count("list"))
                .as("source folders listed in a no-op pass")
                .isZero();
        assertThat(f.source.count("openFolder")).isZero();
        assertThat(f.target.count("openFolder")).isZero();
        assertThat(f.target.count("append")).isZero();
    }

    @Test
    void deltaPassCopiesOnlyNewMessagesAndPropagatesFlagChanges() throws Exception {
        SyncFixture f = fillTypicalMailbox();
        f.engine().build().run();
        put(f.sourceData, FolderPath.INBOX, message("new one", "n"), Flags.NONE);
        try (MailFolder inbox = f.sourceData.openFolder(FolderPath.INBOX)) {
            inbox.storeFlags(List.of(org.mailsync.MessageUid.of(1)), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
        }
        f.source.resetCounts();
        SyncReport delta = f.engine().build().run();
        assertThat(delta.copied()).isEqualTo(1);
        assertThat(delta.flagsUpdated()).isEqualTo(1);
        assertThat(f.source.listQueries(true))
                .as("CONDSTORE fast path: changedSince only")
                .isEqualTo(1);
        assertThat(f.source.listQueries(false)).isZero();
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
    }

    @Test
    void withoutModseqTheDeltaPassListsAllAndStillCopiesOnlyWhatIsNew() throws Exception {
        SyncFixture f =
                new SyncFixture(tmp, SyncFixture.targetWithout(Capability.MODSEQ), InMemoryStore.create("memory:t"));
        for (int i = 0; i < 20; i++) {
            put(f.sourceData, FolderPath.INBOX, message("m" + i, "b" + i), Flags.NONE);
        }
        f.engine().build().run();
        put(f.sourceData, FolderPath.INBOX, message("m20", "b20"), Flags.NONE);
        SyncReport delta = f.engine().build().run();
        assertThat(delta.copied()).isEqualTo(1);
        assertThat(snapshot(f.targetData, FolderPath.INBOX)).hasSize(21);
    }

    @Test
    void messagesWithoutMessageIdAndDuplicateIdsAreAllCopiedUnchanged() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        byte[] noId = "From: a@example.org\r\nSubject: x\r\n\r\nno id at all\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] sameIdA =
                "Message-ID: <dup@example.org>\r\nSubject: a\r\n\r\nbody A\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] sameIdB = "Message-ID: <dup@example.org>\r\nSubject: a\r\n\r\nbody B, longer\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        put(f.sourceData, FolderPath.INBOX, noId, Flags.NONE);
        put(f.sourceData, FolderPath.INBOX, noId, Flags.NONE); // byte-identical twin: two messages
        put(f.sourceData, FolderPath.INBOX, sameIdA, Flags.NONE);
        put(f.sourceData, FolderPath.INBOX, sameIdB, Flags.NONE);
        assertThat(f.engine().build().run().copied()).isEqualTo(4);
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
    }

    @Test
    void firstPassAgainstAPartlyFilledTargetCopiesOnlyWhatIsMissing() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        byte[] twin = message("twin", "same bytes");
        put(f.sourceData, FolderPath.INBOX, message("a", "1"), Flags.of(Flag.SEEN));
        put(f.sourceData, FolderPath.INBOX, message("b", "2"), Flags.NONE);
        put(f.sourceData, FolderPath.INBOX, twin, Flags.NONE);
        put(f.sourceData, FolderPath.INBOX, twin, Flags.NONE);
        // A half-done manual copy: "a" without its flag, one of the twins.
        put(f.targetData, FolderPath.INBOX, message("a", "1"), Flags.NONE);
        put(f.targetData, FolderPath.INBOX, twin, Flags.NONE);
        SyncReport report = f.engine().build().run();
        assertThat(report.alreadyPresent()).isEqualTo(2);
        assertThat(report.copied()).isEqualTo(2);
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
    }

    @Test
    void targetSideFlagChangesSurviveUnlessMirrorIsAsked() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        put(f.sourceData, FolderPath.INBOX, message("a", "1"), Flags.NONE);
        f.engine().build().run();
        try (MailFolder t = f.targetData.openFolder(FolderPath.INBOX)) {
            t.storeFlags(List.of(org.mailsync.MessageUid.of(1)), FlagsUpdateMode.ADD, Flags.of(Flag.SEEN));
        }
        try (MailFolder s = f.sourceData.openFolder(FolderPath.INBOX)) {
            s.storeFlags(List.of(org.mailsync.MessageUid.of(1)), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
        }
        f.engine().build().run();
        assertThat(snapshot(f.targetData, FolderPath.INBOX).get(0).flags())
                .as("source change arrives, target change stays")
                .isEqualTo(Flags.of(Flag.SEEN, Flag.FLAGGED));
        try (MailFolder s = f.sourceData.openFolder(FolderPath.INBOX)) {
            s.storeFlags(List.of(org.mailsync.MessageUid.of(1)), FlagsUpdateMode.ADD, Flags.of(Flag.ANSWERED));
        }
        f.engine().flagPolicy(FlagPolicy.MIRROR).build().run();
        assertThat(snapshot(f.targetData, FolderPath.INBOX).get(0).flags())
                .isEqualTo(Flags.of(Flag.FLAGGED, Flag.ANSWERED));
    }

    @Test
    void keywordsTheTargetCannotHoldAreDroppedAndCounted() throws Exception {
        SyncFixture f =
                new SyncFixture(tmp, InMemoryStore.create("memory:s"), SyncFixture.targetWithout(Capability.KEYWORDS));
        put(f.sourceData, FolderPath.INBOX, message("kw", "1"), Flags.of(Set.of(Flag.SEEN), Set.of("$Forwarded")));
        SyncReport report = f.engine().build().run();
        assertThat(report.folders().get(0).keywordsDropped()).isEqualTo(1);
        assertThat(snapshot(f.targetData, FolderPath.INBOX).get(0).flags()).isEqualTo(Flags.of(Flag.SEEN));
        assertThat(report.toText()).contains("keywords dropped");
    }

    @Test
    void flagMappingRulesApply() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        put(
                f.sourceData,
                FolderPath.INBOX,
                message("kw", "1"),
                Flags.of(Set.of(), Set.of("$label1", "$Flagged", "Junk")));
        f.engine()
                .flagMapping(FlagMapping.builder()
                        .renameKeyword("$label1", "Important")
                        .keywordToFlag("$Flagged", Flag.FLAGGED)
                        .dropKeyword("Junk")
                        .build())
                .build()
                .run();
        assertThat(snapshot(f.targetData, FolderPath.INBOX).get(0).flags())
                .isEqualTo(Flags.of(Set.of(Flag.FLAGGED), Set.of("Important")));
    }

    @Test
    void deletionsAreKeptByDefaultAndMirrorRemovesOnlyWhatThisSyncPutThere() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        org.mailsync.MessageUid a = put(f.sourceData, FolderPath.INBOX, message("a", "1"), Flags.NONE);
        put(f.sourceData, FolderPath.INBOX, message("b", "2"), Flags.NONE);
        put(f.targetData, FolderPath.INBOX, message("own", "target only"), Flags.NONE);
        f.engine().build().run();
        try (MailFolder s = f.sourceData.openFolder(FolderPath.INBOX)) {
            s.delete(List.of(a));
        }
        f.engine().build().run();
        assertThat(snapshot(f.targetData, FolderPath.INBOX)).hasSize(3);
        // The pass that kept "a" still remembers it put it there: a later mirror pass removes it.
        org.mailsync.MessageUid c = put(f.sourceData, FolderPath.INBOX, message("c", "3"), Flags.NONE);
        assertThat(f.engine().deletions(DeletionPolicy.MIRROR).build().run().deleted())
                .isEqualTo(1);
        try (MailFolder s = f.sourceData.openFolder(FolderPath.INBOX)) {
            s.delete(List.of(c));
        }
        SyncReport removed = f.engine().deletions(DeletionPolicy.MIRROR).build().run();
        assertThat(removed.deleted()).isEqualTo(1);
        assertThat(snapshot(f.targetData, FolderPath.INBOX))
                .extracting(m -> m.bytes().contains("Subject: a") || m.bytes().contains("Subject: c"))
                .containsOnly(false);
        assertThat(snapshot(f.targetData, FolderPath.INBOX))
                .anyMatch(m -> m.bytes().contains("target only"));
    }

    @Test
    void mirrorDeltaPassOverASourceWithVanishedListsOnlyChangesAndStillDeletes() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        assertThat(f.sourceData.capabilities().has(Capability.VANISHED)).isTrue();
        org.mailsync.MessageUid a = put(f.sourceData, FolderPath.INBOX, message("a", "1"), Flags.NONE);
        org.mailsync.MessageUid b = put(f.sourceData, FolderPath.INBOX, message("b", "2"), Flags.NONE);
        put(f.sourceData, FolderPath.INBOX, message("c", "3"), Flags.NONE);
        f.engine().deletions(DeletionPolicy.MIRROR).build().run();
        try (MailFolder s = f.sourceData.openFolder(FolderPath.INBOX)) {
            s.delete(List.of(a));
            s.storeFlags(List.of(b), FlagsUpdateMode.ADD, Flags.of(Flag.SEEN));
        }
        put(f.sourceData, FolderPath.INBOX, message("d", "4"), Flags.NONE);
        f.source.resetCounts();

        SyncReport delta = f.engine().deletions(DeletionPolicy.MIRROR).build().run();

        assertThat(delta.deleted()).isEqualTo(1);
        assertThat(delta.copied()).isEqualTo(1);
        assertThat(delta.flagsUpdated()).isEqualTo(1);
        assertThat(f.source.listQueries(true))
                .as("QRESYNC fast path: changedSince only, deletions from vanishedSince")
                .isEqualTo(1);
        assertThat(f.source.listQueries(false)).isZero();
        assertThat(f.source.count("vanishedSince")).isEqualTo(1);
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
    }

    @Test
    void firstMirrorPassAfterAKeepingPassListsEverythingEvenWithVanished() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        org.mailsync.MessageUid a = put(f.sourceData, FolderPath.INBOX, message("a", "1"), Flags.NONE);
        put(f.sourceData, FolderPath.INBOX, message("b", "2"), Flags.NONE);
        f.engine().build().run();
        try (MailFolder s = f.sourceData.openFolder(FolderPath.INBOX)) {
            s.delete(List.of(a));
        }
        // This keeping pass begins after the expunge: no vanishedSince of its modseq names "a".
        put(f.sourceData, FolderPath.INBOX, message("c", "3"), Flags.NONE);
        f.engine().build().run();
        put(f.sourceData, FolderPath.INBOX, message("d", "4"), Flags.NONE);
        f.source.resetCounts();

        SyncReport mirror = f.engine().deletions(DeletionPolicy.MIRROR).build().run();

        assertThat(mirror.deleted()).isEqualTo(1);
        assertThat(f.source.listQueries(false)).isEqualTo(1);
        assertThat(f.source.count("vanishedSince")).isZero();
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
    }

    @Test
    void sourceGenerationChangeRematchesWithoutDuplicatesOrDeletions() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        for (int i = 0; i < 10; i++) {
            put(f.sourceData, FolderPath.INBOX, message("m" + i, "b" + i), Flags.NONE);
        }
        f.engine().build().run();
        f.sourceData.resetGeneration(FolderPath.INBOX);
        put(f.sourceData, FolderPath.INBOX, message("after", "x"), Flags.NONE);
        SyncReport report = f.engine().deletions(DeletionPolicy.MIRROR).build().run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertThat(report.copied()).isEqualTo(1);
        assertThat(report.deleted()).isZero();
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
        assertThat(f.engine().build().run().copied()).isZero();
    }

    @Test
    void sourceGenerationChangeWithTooFewMatchesStopsThatFolderOnlyWithAClearError() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        for (int i = 0; i < 10; i++) {
            put(f.sourceData, FolderPath.INBOX, message("m" + i, "b" + i), Flags.NONE);
        }
        put(f.sourceData, FolderPath.of("Other"), message("o", "o"), Flags.NONE);
        f.engine().build().run();
        // The server "lost" the folder: new generation, different messages.
        f.sourceData.resetGeneration(FolderPath.INBOX);
        try (MailFolder s = f.sourceData.openFolder(FolderPath.INBOX)) {
            List<org.mailsync.MessageUid> all = new java.util.ArrayList<>();
            s.list(org.mailsync.spi.MessageQuery.all(), b -> b.forEach(m -> all.add(m.uid())));
            s.delete(all);
        }
        for (int i = 0; i < 10; i++) {
            put(f.sourceData, FolderPath.INBOX, message("other" + i, "c" + i), Flags.NONE);
        }
        put(f.sourceData, FolderPath.of("Other"), message("o2", "o2"), Flags.NONE);
        SyncReport report = f.engine().build().run();
        FolderReport inbox = report.folders().stream()
                .filter(r -> r.pair().source().isInbox())
                .findFirst()
                .orElseThrow();
        assertThat(inbox.outcome()).isEqualTo(FolderReport.Outcome.FAILED);
        assertThat(inbox.error()).contains("UIDVALIDITY", "INBOX", "0 of 10", "refusing to guess");
        assertThat(snapshot(f.targetData, FolderPath.INBOX)).hasSize(10);
        assertThat(snapshot(f.targetData, FolderPath.of("Other"))).hasSize(2);
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.FAILED);
    }

    @Test
    void targetGenerationChangeRematchesByIdentity() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        for (int i = 0; i < 5; i++) {
            put(f.sourceData, FolderPath.INBOX, message("m" + i, "b" + i), Flags.NONE);
        }
        f.engine().build().run();
        f.targetData.resetGeneration(FolderPath.INBOX);
        put(f.sourceData, FolderPath.INBOX, message("m5", "b5"), Flags.of(Flag.SEEN));
        SyncReport report = f.engine().build().run();
        assertThat(report.copied()).isEqualTo(1);
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
    }

    @Test
    void dryRunReportsAndWritesNothing() throws Exception {
        SyncFixture f = fillTypicalMailbox();
        SyncReport report = f.engine().dryRun(true).build().run();
        assertThat(report.copied()).isEqualTo(5);
        assertThat(report.folders()).allMatch(r -> r.outcome() == FolderReport.Outcome.DRY_RUN);
        assertThat(f.target.count("append")).isZero();
        assertThat(f.target.count("createFolder")).isZero();
        assertThat(f.targetData.listFolders()).extracting(FolderInfo::path).containsExactly(FolderPath.INBOX);
        assertThat(Files.list(f.checkpoints).count()).isZero();
        assertThat(f.engine().build().run().copied()).isEqualTo(5);
    }

    @Test
    void selectionLeavesOutMessagesAndCountsThem() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        put(f.sourceData, FolderPath.INBOX, message("small", "s"), Flags.NONE);
        put(f.sourceData, FolderPath.INBOX, TestMessages.withAttachment(50_000, 2), Flags.NONE);
        put(f.sourceData, FolderPath.INBOX, message("flagged", "f"), Flags.of(Flag.FLAGGED));
        SyncReport report = f.engine()
                .selection(MessageSelection.builder()
                        .maxSize(10_000)
                        .internalDateRange(Instant.parse("2020-01-01T00:00:00Z"), null)
                        .filter(m -> !m.flags().contains(Flag.FLAGGED))
                        .build())
                .build()
                .run();
        assertThat(report.copied()).isEqualTo(1);
        assertThat(report.folders().get(0).skippedBySelection()).isEqualTo(2);
    }

    @Test
    void folderMappingRenamesExcludesNestsAndReportsMerges() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        SyncFixture.special(f.targetData, FolderPath.of("Gesendet"), SpecialUse.SENT);
        put(f.sourceData, FolderPath.of("Sent Items"), message("sent", "s"), Flags.of(Flag.SEEN));
        put(f.sourceData, FolderPath.of("Spam"), message("spam", "s"), Flags.NONE);
        put(f.sourceData, FolderPath.of("Projects", "A"), message("pa", "a"), Flags.NONE);
        put(f.sourceData, FolderPath.of("Old"), message("old", "o"), Flags.NONE);
        put(f.sourceData, FolderPath.of("Older"), message("older", "o"), Flags.NONE);
        SyncReport report = f.engine()
                .folders(FolderMapping.builder()
                        .exclude("spam")
                        .rename(FolderPath.of("Projects"), FolderPath.of("Work", "Projects"))
                        .rename(FolderPath.of("Older"), FolderPath.of("Old"))
                        .build())
                .build()
                .run();
        assertThat(snapshot(f.targetData, FolderPath.of("Gesendet"))).hasSize(1);
        assertThat(snapshot(f.targetData, FolderPath.of("Work", "Projects", "A")))
                .hasSize(1);
        assertThat(snapshot(f.targetData, FolderPath.of("Old"))).hasSize(2);
        assertThat(f.targetData.listFolders())
                .extracting(FolderInfo::path)
                .doesNotContain(FolderPath.of("Spam"), FolderPath.of("Junk"));
        assertThat(report.notes()).anyMatch(n -> n.contains("Old") && n.contains("Older"));
    }

    @Test
    void everythingUnderASubFolder() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        put(f.sourceData, FolderPath.INBOX, message("i", "i"), Flags.NONE);
        put(f.sourceData, FolderPath.of("A"), message("a", "a"), Flags.NONE);
        f.engine()
                .folders(
                        FolderMapping.builder().under(FolderPath.of("Imported")).build())
                .build()
                .run();
        assertThat(snapshot(f.targetData, FolderPath.of("Imported", "INBOX"))).hasSize(1);
        assertThat(snapshot(f.targetData, FolderPath.of("Imported", "A"))).hasSize(1);
        assertThat(snapshot(f.targetData, FolderPath.INBOX)).isEmpty();
    }

    @Test
    void aFolderNameTheTargetCannotHoldFailsThatFolderAndTheRestGoesOn() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        put(f.sourceData, FolderPath.of("a/b"), message("slash", "s"), Flags.NONE);
        put(f.sourceData, FolderPath.of("Fine"), message("fine", "f"), Flags.NONE);
        f.target.hook(new InstrumentedStore.Hook() {
            @Override
            public void before(String op, FolderPath folder) throws MailStoreException {
                if (op.equals("createFolder") && folder.name().contains("/")) {
                    throw new FolderUnusableException(
                            ErrorContext.of("memory:target", folder), "the separator / cannot be inside a name", null);
                }
            }
        });
        SyncReport report = f.engine().build().run();
        assertThat(report.folders())
                .filteredOn(r -> r.outcome() == FolderReport.Outcome.FAILED)
                .singleElement()
                .satisfies(r -> assertThat(r.error()).contains("a/b", "separator"));
        assertThat(snapshot(f.targetData, FolderPath.of("Fine"))).hasSize(1);
    }

    @Test
    void targetWithoutAppendUidStillGetsEachMessageOnceAcrossPasses() throws Exception {
        SyncFixture f = new SyncFixture(
                tmp, InMemoryStore.create("memory:s"), SyncFixture.targetWithout(Capability.APPEND_UID));
        byte[] twin = message("twin", "t");
        put(f.sourceData, FolderPath.INBOX, twin, Flags.NONE);
        put(f.sourceData, FolderPath.INBOX, twin, Flags.of(Flag.SEEN));
        put(f.sourceData, FolderPath.INBOX, message("x", "y"), Flags.NONE);
        f.engine().build().run();
        put(f.sourceData, FolderPath.INBOX, message("z", "z"), Flags.NONE);
        assertThat(f.engine().build().run().copied()).isEqualTo(1);
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
    }

    @Test
    void aMessageOverTheTargetsLimitIsReportedAndTheRestCopied() throws Exception {
        InMemoryStore limited = InMemoryStore.builder()
                .account("memory:limit")
                .maxMessageSize(100_000)
                .build();
        SyncFixture f = new SyncFixture(tmp, InMemoryStore.create("memory:s"), limited);
        put(f.sourceData, FolderPath.INBOX, message("small", "s"), Flags.NONE);
        org.mailsync.MessageUid big =
                put(f.sourceData, FolderPath.INBOX, TestMessages.withAttachment(200_000, 9), Flags.NONE);
        SyncReport report = f.engine().build().run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE_WITH_SKIPS);
        assertThat(report.copied()).isEqualTo(1);
        assertThat(report.folders().get(0).failures()).singleElement().satisfies(m -> assertThat(m.toString())
                .contains("memory:s", "INBOX", "message " + big, "exceeds"));
        // The next pass tries again (the folder is not marked complete) and still reports it.
        assertThat(f.engine().build().run().failed()).isEqualTo(1);
    }

    @Test
    void aMessageRejectedInsideABatchIsReportedAndTheOthersArrive() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        for (int i = 0; i < 6; i++) {
            put(f.sourceData, FolderPath.INBOX, message("m" + i, "b" + i), Flags.NONE);
        }
        f.target.hook(new InstrumentedStore.Hook() {
            @Override
            public void beforeAppend(FolderPath folder, org.mailsync.spi.AppendRequest request)
                    throws MailStoreException {
                if (new String(request.message().toByteArray(), StandardCharsets.US_ASCII).contains("Subject: m2")) {
                    throw new MessageRejectedException(
                            ErrorContext.of("memory:target", folder), "NO [LIMIT] message refused", null);
                }
            }
        });
        SyncReport report = f.engine().build().run();
        assertThat(report.copied()).isEqualTo(5);
        assertThat(report.failed()).isEqualTo(1);
        assertThat(report.folders().get(0).failures().get(0).reason()).contains("refused");
        f.target.hook(new InstrumentedStore.Hook() {});
        assertThat(f.engine().build().run().copied()).isEqualTo(1);
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
    }

    @Test
    void aDroppedConnectionIsRetriedAndNothingIsDuplicated() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        for (int i = 0; i < 250; i++) {
            put(f.sourceData, FolderPath.INBOX, message("m" + i, "b" + i), Flags.NONE);
        }
        AtomicInteger appends = new AtomicInteger();
        f.target.hook(new InstrumentedStore.Hook() {
            @Override
            public void after(String op, FolderPath folder) throws MailStoreException {
                if (op.equals("append") && appends.incrementAndGet() == 130) {
                    throw new ConnectionException(ErrorContext.of("memory:target", folder), "connection reset", null);
                }
            }
        });
        SyncReport report = f.engine().build().run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
        assertSameMessages(f.sourceData, FolderPath.INBOX, f.targetData, FolderPath.INBOX);
    }

    @Test
    void aRefusedLoginStopsTheAccountWithAClearError() throws Exception {
        SyncFixture f = fillTypicalMailbox();
        f.source.hook(new InstrumentedStore.Hook() {
            @Override
            public void before(String op, FolderPath folder) throws MailStoreException {
                throw new AuthenticationException(
                        ErrorContext.of("imap://alice@old.example"), "LOGIN refused: [AUTHENTICATIONFAILED]", null);
            }
        });
        SyncReport report = f.engine().build().run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.FAILED);
        assertThat(report.accountError()).contains("alice@old.example", "AUTHENTICATIONFAILED");
    }

    @Test
    void contentHashIdentityFindsExactCopies() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        put(f.sourceData, FolderPath.INBOX, message("a", "1"), Flags.NONE);
        put(f.targetData, FolderPath.INBOX, message("a", "1"), Flags.NONE);
        SyncReport report =
                f.engine().identity(IdentityStrategies.contentHash()).build().run();
        assertThat(report.alreadyPresent()).isEqualTo(1);
        assertThat(report.copied()).isZero();
    }

    @Test
    void listenerSeesTheRun() throws Exception {
        SyncFixture f = fillTypicalMailbox();
        List<String> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        AtomicInteger copiedEvents = new AtomicInteger();
        f.engine()
                .listener(new SyncListener() {
                    @Override
                    public void runStarted(int folderPairs) {
                        events.add("start " + folderPairs);
                    }

                    @Override
                    public void messageCopied(
                            org.mailsync.FolderPair pair, org.mailsync.MessageUid source, long bytes) {
                        copiedEvents.incrementAndGet();
                    }

                    @Override
                    public void runFinished(SyncReport report) {
                        events.add("end " + report.verdict());
                    }
                })
                .build()
                .run();
        // 3 pairs: the empty parents Projekte and Projekte/2024 are there for their child only.
        assertThat(events).containsExactly("start 3", "end COMPLETE");
        assertThat(copiedEvents).hasValue(5);
    }

    @Test
    void aMessageTheSourceCannotReadIsReportedWithItsPlaceAndTheOthersArrive() throws Exception {
        SyncFixture f = new SyncFixture(tmp);
        for (int i = 0; i < 4; i++) {
            put(f.sourceData, FolderPath.INBOX, message("m" + i, "b" + i), Flags.NONE);
        }
        AtomicInteger reads = new AtomicInteger();
        f.source.hook(new InstrumentedStore.Hook() {
            @Override
            public void before(String op, FolderPath folder) throws MailStoreException {
                if (op.equals("readAll") || (op.equals("read") && reads.incrementAndGet() == 2)) {
                    throw new MessageRejectedException(
                            ErrorContext.of("memory:source", folder, org.mailsync.MessageUid.of(2)),
                            "NO [UNAVAILABLE] message body could not be parsed",
                            null);
                }
            }
        });
        SyncReport report = f.engine().build().run();
        assertThat(report.copied()).isEqualTo(3);
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE_WITH_SKIPS);
        assertThat(report.folders().get(0).failures()).singleElement().satisfies(m -> assertThat(m.toString())
                .contains("memory:source", "INBOX", "message 2", "could not be parsed"));
    }
}
