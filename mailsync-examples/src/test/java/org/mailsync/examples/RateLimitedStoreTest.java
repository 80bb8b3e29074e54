package org.mailsync.examples;

import static org.assertj.core.api.Assertions.assertThat;

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
    static final class FakePacer implements RateLimitedStore.Pacer {
        long now = 1_000_000_000L;
        long slept;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepNanos(long nanos) {
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

    @Test
    void noLimitIsTheStoreItself() throws Exception {
        InMemoryStore store = store(1, 10);
        assertThat(RateLimitedStore.wrap(store, 0, 0)).isSameAs(store);
    }
}
