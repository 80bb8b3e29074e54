package org.mailsync.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.internal.TestFolders.list;
import static org.mailsync.internal.TestFolders.put;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.AlteredMessage;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flags;
import org.mailsync.FolderPair;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.IdentityStrategies;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.MailFolder;

class SettlerTest {
    private static final FolderPair PAIR = new FolderPair(FolderPath.INBOX, FolderPath.INBOX);

    @TempDir
    Path tmp;

    private final InMemoryStore sourceStore = InMemoryStore.create("memory:source");
    private final InMemoryStore targetStore = InMemoryStore.create("memory:target");
    private MailFolder source;
    private MailFolder target;
    private Checkpoints checkpoints;
    private IdentityMatcher identity;

    @BeforeEach
    void open() throws Exception {
        source = sourceStore.openFolder(FolderPath.INBOX);
        target = targetStore.openFolder(FolderPath.INBOX);
        checkpoints = Checkpoints.over(FileCheckpointStore.in(tmp));
        identity = new IdentityMatcher(
                IdentityStrategies.headerFingerprint(), source, "memory:source", target, "memory:target");
    }

    @AfterEach
    void close() throws Exception {
        source.close();
        target.close();
    }

    private static byte[] message(String subject) {
        return ("Subject: " + subject + "\r\nMessage-ID: <" + subject + "@x>\r\n\r\nbody of " + subject + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Writes the intent to append these source messages to the target as it is now. */
    private JournalEntry.AppendIntent intend(AppendJournal journal, List<MessageUid> sources) throws Exception {
        List<MessageInfo> infos =
                list(source).stream().filter(m -> sources.contains(m.uid())).toList();
        Map<MessageUid, String> keys = identity.keys(source, infos);
        return journal.intend(
                target.status().generation(),
                target.status().nextUid(),
                infos.stream()
                        .map(m -> new JournalEntry.IntentItem(m.uid(), keys.get(m.uid()), m.flags()))
                        .toList());
    }

    /** A new pass: the journal as a restart loads it, and a settler over a fresh pair map. */
    private record Pass(AppendJournal journal, PairMap pairs, FolderCounters counters, Settler settler) {}

    private Pass restart() throws Exception {
        AppendJournal journal = new AppendJournal(checkpoints, PAIR);
        FolderCheckpoint cp = journal.load();
        PairMap pairs = new PairMap();
        cp.pairs().values().forEach(pairs::put);
        journal.resume(cp);
        FolderCounters counters = new FolderCounters();
        return new Pass(
                journal, pairs, counters, new Settler(journal, pairs, pairs::put, identity, source, target, counters));
    }

    private static FolderReport report(FolderCounters counters) {
        return counters.report(PAIR, FolderReport.Outcome.SYNCED, null, Duration.ZERO);
    }

    @Test
    void anInterruptedAppendIsSettledByIdentityAndOnlyWhatArrivedIsPaired() throws Exception {
        MessageUid s1 = put(source, message("one"));
        MessageUid s2 = put(source, message("two"));
        MessageUid s3 = put(source, message("three"));
        // A copy of "two" that was on the target before the intent: not the intent's to take.
        put(target, message("two"));
        Pass before = restart();
        JournalEntry.AppendIntent intent = intend(before.journal(), List.of(s1, s2, s3));
        // The pass died after appending "one" and "three", before the settlement.
        MessageUid t1 = put(target, message("one"));
        MessageUid t3 = put(target, message("three"));

        Pass after = restart();
        assertThat(after.journal().pending()).containsExactly(intent);
        after.settler().settlePending();

        assertThat(after.pairs().entries())
                .containsExactlyInAnyOrder(new PairEntry(s1, t1, Flags.NONE), new PairEntry(s3, t3, Flags.NONE));
        assertThat(after.journal().pending()).isEmpty();
        FolderCheckpoint reloaded = new AppendJournal(checkpoints, PAIR).load();
        assertThat(reloaded.pending()).isEmpty();
        assertThat(reloaded.pairs()).containsOnlyKeys(s1, s3);
        assertThat(report(after.counters()).altered()).isEmpty();
    }

    @Test
    void aTargetRenumberedSinceTheIntentSettlesNothing() throws Exception {
        MessageUid s1 = put(source, message("one"));
        Pass before = restart();
        JournalEntry.AppendIntent intent = intend(before.journal(), List.of(s1));
        put(target, message("one"));
        targetStore.resetGeneration(FolderPath.INBOX);

        Pass after = restart();
        assertThat(after.settler().resolve(intent, Map.of())).isEmpty();
        after.settler().settlePending();
        assertThat(after.pairs().entries()).isEmpty();
        assertThat(new AppendJournal(checkpoints, PAIR).load().pending()).isEmpty();
    }

    @Test
    void identicalMessagesAreCountedAndATargetPairedAlreadyIsNotTakenAgain() throws Exception {
        MessageUid s1 = put(source, message("same"));
        MessageUid s2 = put(source, message("same"));
        Pass pass = restart();
        JournalEntry.AppendIntent intent = intend(pass.journal(), List.of(s1, s2));
        MessageUid t1 = put(target, message("same"));
        MessageUid t2 = put(target, message("same"));
        pass.pairs().put(new PairEntry(MessageUid.of(99), t1, Flags.NONE));

        assertThat(pass.settler().resolve(intent, Map.of())).containsExactly(new PairEntry(s1, t2, Flags.NONE));
    }

    @Test
    void aCopyTheTargetRewroteIsFoundByTheSecondTierAndReportedAltered() throws Exception {
        byte[] sent =
                "Subject: Gr\u00fc\u00dfe\r\nMessage-ID: <g@x>\r\n\r\nbody\r\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] stored = "Subject: GrXXe\r\nMessage-ID: <g@x>\r\n\r\nbody\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        MessageUid s = put(source, sent);
        Pass pass = restart();
        JournalEntry.AppendIntent intent = intend(pass.journal(), List.of(s));
        MessageUid t = put(target, stored);

        // Right after the append (sizes sent known) and after a restart (sizes from the listing).
        assertThat(pass.settler().resolve(intent, Map.of(s, (long) sent.length)))
                .containsExactly(new PairEntry(s, t, Flags.NONE));
        Pass after = restart();
        after.settler().settlePending();

        assertThat(after.pairs().entries()).containsExactly(new PairEntry(s, t, Flags.NONE));
        assertThat(report(after.counters()).altered())
                .containsExactly(new AlteredMessage(s, t, sent.length, stored.length));
    }

    @Test
    void afterAnAppendWithKnownIdsOnlyMessagesStoredWithAnotherSizeAreReportedAltered() throws Exception {
        MessageUid s1 = put(source, message("kept"));
        MessageUid s2 = put(source, message("grown"));
        MessageUid t1 = put(target, message("kept"));
        MessageUid t2 = put(target, message("grown, and more"));
        Pass pass = restart();
        long sent1 = message("kept").length;
        long sent2 = message("grown").length;

        pass.settler()
                .noticeAltered(
                        Map.of(s1, sent1, s2, sent2),
                        List.of(new PairEntry(s1, t1, Flags.NONE), new PairEntry(s2, t2, Flags.NONE)));

        assertThat(report(pass.counters()).altered())
                .containsExactly(new AlteredMessage(s2, t2, sent2, message("grown, and more").length));
    }
}
