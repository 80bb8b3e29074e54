package org.mailsync.pop3;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.UIDFolder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.angus.mail.pop3.POP3Folder;
import org.eclipse.angus.mail.pop3.POP3Message;
import org.eclipse.angus.mail.pop3.POP3Store;
import org.jspecify.annotations.Nullable;
import org.mailsync.AuthenticationException;
import org.mailsync.ErrorContext;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.support.Headers;
import org.mailsync.spi.support.PinningTrustManager;

/**
 * One POP3 session (RFC 1939): connected, logged in and with the maildrop open, through Angus
 * Mail's POP3 provider. A POP3 session sees the maildrop as it was when the session began, and
 * numbers its messages 1..n for that session only; {@link Pop3Folder} turns those numbers into
 * lasting ids. Messages are marked for deletion only by {@link #deleteAndQuit}; every other
 * session ends with RSET and QUIT, so that nothing is ever deleted by accident.
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class Session implements AutoCloseable {
    /** What a session needs; the store's settings, copied at build. */
    record Settings(
            String account,
            String host,
            int port,
            Pop3Security security,
            String username,
            @Nullable Supplier<char[]> password,
            @Nullable Supplier<String> oauth2Token,
            Pop3Authentication authentication,
            @Nullable KeyStore trustStore,
            Set<String> pinnedSha256,
            Duration connectTimeout,
            Guard.Limits limits,
            long maxMessageSize) {}

    private final Settings settings;
    private final Guard guard;
    private final POP3Store store;
    private final POP3Folder folder;
    private final int count;
    private boolean closed;

    private Session(Settings settings, Guard guard, POP3Store store, POP3Folder folder) throws MessagingException {
        this.settings = settings;
        this.guard = guard;
        this.store = store;
        this.folder = folder;
        this.count = folder.getMessageCount();
    }

    /** Connects, logs in and opens the maildrop. */
    static Session open(Settings s) throws MailStoreException {
        Guard guard = new Guard(s.limits());
        guard.startOperation();
        Properties props = new Properties();
        String p = "mail.pop3.";
        props.put(p + "socketFactory", guard.plainFactory());
        props.put(p + "socketFactory.fallback", "false");
        props.put(p + "ssl.socketFactory.fallback", "false");
        try {
            PinningTrustManager trust = new PinningTrustManager(s.host(), s.trustStore(), s.pinnedSha256());
            props.put(p + "ssl.socketFactory", guard.tlsFactory(trust.socketFactory()));
        } catch (GeneralSecurityException e) {
            throw new StoreFailureException(context(s), "cannot set up TLS: " + e.getMessage(), e);
        }
        props.put(p + "ssl.checkserveridentity", "true");
        if (s.security() == Pop3Security.TLS) {
            props.put(p + "ssl.enable", "true");
        } else if (s.security() == Pop3Security.STLS) {
            props.put(p + "starttls.enable", "true");
            props.put(p + "starttls.required", "true");
        }
        props.put(p + "connectiontimeout", Long.toString(s.connectTimeout().toMillis()));
        props.put(p + "timeout", Long.toString(s.limits().readTimeout().toMillis()));
        // Nothing is ever deleted by accident: every close that is not deleteAndQuit undoes marks.
        props.put(p + "rsetbeforequit", "true");
        String secret;
        if (s.oauth2Token() != null) {
            props.put(p + "auth.mechanisms", "XOAUTH2");
            secret = s.oauth2Token().get();
        } else {
            switch (s.authentication()) {
                case AUTO -> {
                    props.put(p + "apop.enable", "true");
                    props.put(p + "auth.mechanisms", "LOGIN");
                }
                case USER_PASS -> props.put(p + "auth.mechanisms", "LOGIN");
                case SASL_PLAIN -> props.put(p + "auth.mechanisms", "PLAIN");
            }
            char[] password =
                    java.util.Objects.requireNonNull(s.password(), "a password").get();
            secret = new String(password);
            Arrays.fill(password, '\0');
        }
        jakarta.mail.Session mailSession = jakarta.mail.Session.getInstance(props);
        POP3Store store = null;
        try {
            store = (POP3Store) mailSession.getStore("pop3");
            store.connect(s.host(), s.port(), s.username(), secret);
            POP3Folder folder = (POP3Folder) store.getFolder("INBOX");
            folder.open(Folder.READ_WRITE);
            return new Session(s, guard, store, folder);
        } catch (AuthenticationFailedException e) {
            closeQuietly(store);
            String why = String.valueOf(e.getMessage());
            if (why.contains("STLS")) {
                throw new StoreFailureException(
                        context(s),
                        "the server does not offer STLS, which " + s.security().scheme()
                                + " requires (use pop3s:// for TLS from the first byte): " + why,
                        e);
            }
            throw new AuthenticationException(context(s), "login refused: " + why, e);
        } catch (MessagingException | RuntimeException e) {
            closeQuietly(store);
            throw Failures.of(context(s), "connecting", e);
        }
    }

    static ErrorContext context(Settings s) {
        return ErrorContext.of(s.account(), FolderPath.INBOX);
    }

    /** The guard of this session's connection. */
    Guard guard() {
        return guard;
    }

    /** How many messages the maildrop held when the session began. */
    int count() {
        return count;
    }

    /** The server's CAPA answer (empty where the server has no CAPA). */
    Map<String, String> capabilities() throws MessagingException {
        return store.capabilities();
    }

    /** Whether the session runs over TLS. */
    boolean tls() {
        return store.isSSL();
    }

    /** Message sizes by number (LIST), index 0 for message 1. */
    int[] sizes() throws MessagingException {
        return folder.getSizes();
    }

    /**
     * The UIDL of every message, index 0 for message 1; null where the server has no UIDL (CAPA
     * without it, or a refused UIDL command).
     */
    String @Nullable [] uidls() throws MessagingException {
        Message[] all = folder.getMessages();
        FetchProfile profile = new FetchProfile();
        profile.add(UIDFolder.FetchProfileItem.UID);
        folder.fetch(all, profile);
        String[] out = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            String uid = folder.getUID(all[i]);
            if (uid == null || uid.equals("UNKNOWN") || uid.isEmpty()) {
                return null;
            }
            out[i] = uid;
        }
        return out;
    }

    /** The header block of message {@code number} ({@code TOP n 0}); null if it is gone. */
    byte @Nullable [] headers(int number) throws MessagingException, IOException {
        POP3Message m = (POP3Message) folder.getMessage(number);
        InputStream top = m.top(0);
        if (top == null) {
            return null;
        }
        try (top) {
            return Headers.readHeaderBlock(top);
        }
    }

    /**
     * Streams message {@code number} ({@code RETR}) into {@code out}, bytes as sent less the dot
     * stuffing; the answer may hold at most {@code bound} bytes.
     */
    void retrieve(int number, OutputStream out, long bound) throws MessagingException, IOException {
        guard.expect(bound, "message " + number);
        try {
            folder.getMessage(number).writeTo(out);
        } finally {
            guard.reset();
        }
    }

    /**
     * Marks these messages deleted and ends the session with QUIT, which makes the server delete
     * them (RFC 1939 6: a session that ends any other way deletes nothing).
     */
    void deleteAndQuit(List<Integer> numbers) throws MessagingException {
        for (int n : numbers) {
            folder.getMessage(n).setFlag(Flags.Flag.DELETED, true);
        }
        // Angus Mail sends RSET (rsetbeforequit) before these DELEs, then QUIT: only they go.
        closed = true;
        try {
            folder.close(true);
        } finally {
            closeQuietly(store);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (folder.isOpen()) {
                folder.close(false);
            }
        } catch (MessagingException | RuntimeException e) {
            // Ending the session: RSET and QUIT, or a dropped connection; either deletes nothing.
        }
        closeQuietly(store);
    }

    private static void closeQuietly(@Nullable POP3Store store) {
        if (store == null) {
            return;
        }
        try {
            store.close();
        } catch (MessagingException | RuntimeException e) {
            // Nothing left to do with a connection that is going away.
        }
    }

    Settings settings() {
        return settings;
    }
}
