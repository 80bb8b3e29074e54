package org.mailsync.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;

/** The rate limit holds reads to the given bytes and messages per second, on a fake clock. */
class RateLimitedStoreTest {
    /** A clock that only moves when the limiter sleeps. */
    static class FakePacer implements RateLimitedStore.Pacer {
        long now = 1_000_000_000L;
        long slept;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
            now += nanos;
            slept += nanos;
        }
    }

    private static InMemoryStore store(int messages, int size) throws Exception {
        InMemoryStore store = InMemoryStore.create("old");
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            for (int i = 0; i < messages; i++) {
                byte[] bytes = ("Subject: " + i + "\r\n\r\n" + "x".repeat(size)).getBytes(StandardCharsets.US_ASCII);
                byte[] exact = java.util.Arrays.copyOf(bytes, size);
                try (RawMessage raw = RawMessage.of(exact)) {
                    inbox.append(new AppendRequest(raw, Flags.NONE, Instant.EPOCH));
                }
            }
        }
        return store;
    }

    private static void readAll(MailStore store) throws Exception {
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<MessageUid> uids = new ArrayList<>();
            inbox.list(
                    MessageQuery.all(),
                    batch -> batch.stream().map(MessageInfo::uid).forEach(uids::add));
            inbox.readAll(uids, (uid, raw) -> raw.close());
        }
    }

    @Test
    void bytesPerSecondSpacesReadsByTheirSize() throws Exception {
        FakePacer pacer = new FakePacer();
        // 10 messages of 1,000 bytes at 2,000 bytes/s: the first goes at once, each next one waits
        // for the half second its predecessor costs.
        readAll(new RateLimitedStore(store(10, 1000), 2000, 0, pacer));

        assertThat(pacer.slept).isEqualTo(9 * 500_000_000L);
    }

    @Test
    void messagesPerSecondLimitsTheCountWhateverTheSize() throws Exception {
        FakePacer pacer = new FakePacer();
        readAll(new RateLimitedStore(store(5, 100), 0, 4, pacer));

        assertThat(pacer.slept).isEqualTo(4 * 250_000_000L);
    }

    @Test
    void theStricterLimitWinsAndIdleTimeIsNotSavedUp() throws Exception {
        FakePacer pacer = new FakePacer();
        RateLimitedStore limited = new RateLimitedStore(store(3, 1000), 10_000, 1, pacer);
        readAll(limited);
        assertThat(pacer.slept).isEqualTo(2 * 1_000_000_000L);

        pacer.now += 60_000_000_000L; // a minute idle
        pacer.slept = 0;
        readAll(limited);
        assertThat(pacer.slept).isEqualTo(2 * 1_000_000_000L);
    }

    /** A store whose folders remember every message they hand out. */
    private static final class Recording extends org.mailsync.spi.ForwardingMailStore {
        final List<RawMessage> handedOut = new ArrayList<>();

        Recording(MailStore store) {
            super(store);
        }

        @Override
        public MailFolder openFolder(FolderPath path) throws org.mailsync.MailStoreException {
            return new org.mailsync.spi.ForwardingMailFolder(delegate().openFolder(path)) {
                @Override
                public void readAll(List<MessageUid> uids, MessageConsumer<RawMessage> consumer)
                        throws org.mailsync.MailStoreException {
                    delegate().readAll(uids, (uid, raw) -> {
                        handedOut.add(raw);
                        consumer.accept(uid, raw);
                    });
                }

                @Override
                public java.util.Optional<RawMessage> read(MessageUid uid) throws org.mailsync.MailStoreException {
                    java.util.Optional<RawMessage> raw = delegate().read(uid);
                    raw.ifPresent(handedOut::add);
                    return raw;
                }
            };
        }
    }

    @Test
    void aMessageWhosePacingFailsIsClosedNotLeaked() throws Exception {
        Recording recording = new Recording(store(2, 100));
        FakePacer interrupted = new FakePacer() {
            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                throw new InterruptedException("stop");
            }
        };
        RateLimitedStore limited = new RateLimitedStore(recording, 0, 1, interrupted);

        List<RawMessage> consumed = new ArrayList<>();
        try (MailFolder inbox = limited.openFolder(FolderPath.INBOX)) {
            // The first message goes at once; the second must wait, and the wait is interrupted.
            assertThatThrownBy(() -> inbox.readAll(List.of(MessageUid.of(1), MessageUid.of(2)), (uid, raw) -> {
                        consumed.add(raw);
                        raw.close();
                    }))
                    .isInstanceOf(org.mailsync.StoreFailureException.class);
            assertThat(Thread.interrupted()).isTrue();
            assertThat(recording.handedOut).hasSize(2);
            assertThat(consumed).hasSize(1);
            // The one the consumer never saw was closed by the limiter.
            assertThatThrownBy(recording.handedOut.get(1)::openStream).isInstanceOf(IllegalStateException.class);

            assertThatThrownBy(() -> inbox.read(MessageUid.of(1)))
                    .isInstanceOf(org.mailsync.StoreFailureException.class);
            assertThat(Thread.interrupted()).isTrue();
            assertThatThrownBy(recording.handedOut.get(2)::openStream).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void noLimitIsTheStoreItself() throws Exception {
        InMemoryStore store = store(1, 10);
        assertThat(RateLimitedStore.wrap(store, 0, 0)).isSameAs(store);
    }
}
