package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 12.17: MailStoreException says it is serializable (IOException); it must really be. */
class MailStoreExceptionSerializationTest {
    private static final ErrorContext FULL =
            ErrorContext.of("imap://anna@old.example.org", FolderPath.of("Archiv", "2024 ü"), MessageUid.of(4711));

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void everyKindRoundTripsWithItsContext() throws Exception {
        List<MailStoreException> all = List.of(
                new AuthenticationException(FULL, "login refused", null),
                new ConnectionException(
                        FULL, "throttled", new java.net.SocketTimeoutException("read"), true, Duration.ofSeconds(30)),
                new FolderUnusableException(ErrorContext.of("maildir:/srv/a", FolderPath.of("x")), "gone", null),
                new MessageRejectedException(FULL, "too large", null),
                new StoreFailureException(ErrorContext.of("mbox:/srv/b"), "disk full", null));
        for (MailStoreException e : all) {
            MailStoreException back = roundTrip(e);
            assertThat(back).isExactlyInstanceOf(e.getClass());
            assertThat(back.context()).isEqualTo(e.context());
            assertThat(back.reason()).isEqualTo(e.reason());
            assertThat(back.getMessage()).isEqualTo(e.getMessage());
        }
        ConnectionException back = roundTrip((ConnectionException) all.get(1));
        assertThat(back.throttled()).isTrue();
        assertThat(back.retryAfter()).contains(Duration.ofSeconds(30));
        assertThat(back.getCause()).isInstanceOf(java.net.SocketTimeoutException.class);
    }

    @Test
    void theContextAloneRoundTripsThroughItsValidatingFactories() throws Exception {
        assertThat(roundTrip(FULL)).isEqualTo(FULL);
        assertThat(roundTrip(ErrorContext.of("a"))).isEqualTo(ErrorContext.of("a"));
    }
}
