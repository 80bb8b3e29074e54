package org.mailsync.imap;

import static java.util.Objects.requireNonNull;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.jspecify.annotations.Nullable;
import org.mailsync.spi.support.PinningTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated IMAP connection: an Angus Mail {@link IMAPStore} whose own (store)
 * connection carries every command. Folders are never opened through Angus Mail; commands run
 * through {@link IMAPFolder#doCommand} on the never-opened default folder, which hands over the
 * store's protocol object, so this class selects mailboxes itself and sends exactly the commands
 * mailsync needs (BODY.PEEK, UID FETCH batches, APPEND with a streamed literal).
 *
 * <p>Not thread-safe; confine to one thread at a time (the pool hands it to one user).
 */
final class Connection implements AutoCloseable {
    /**
     * Whether sockets get TCP_NODELAY (set by {@link GuardedSockets}); always on, except where the IMAP
     * benchmark turns it off to measure what it saves.
     */
    static volatile boolean tcpNoDelay = true;

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final Pattern ALERT = Pattern.compile("\\[ALERT\\]\\s*(.*)", Pattern.CASE_INSENSITIVE);

    private final IMAPStore store;
    private final IMAPFolder anchor;
    private final String account;
    private final List<String> alerts = new ArrayList<>();
    private boolean broken;
    private @Nullable String selected;

    private Connection(IMAPStore store, IMAPFolder anchor, String account) {
        this.store = store;
        this.anchor = anchor;
        this.account = account;
    }

    /**
     * The text of an {@code [ALERT]} response code (RFC 3501 7.1: the client must show it to the
     * user), or null if {@code r} carries none.
     */
    static @Nullable String alertText(Response r) {
        if (!(r.isOK() || r.isNO() || r.isBAD() || r.isBYE())) {
            return null;
        }
        Matcher m = ALERT.matcher(r.toString());
        return m.find() ? m.group(1).trim() : null;
    }

    /** Keeps an alert the server sent on this connection, and logs it at WARN. */
    private void notice(Response r) {
        String text = alertText(r);
        if (text != null) {
            LOG.warn("{}: the server says (ALERT): {}", account, text);
            alerts.add(text);
        }
    }

    /** The alerts received since the last call, oldest first. */
    List<String> drainAlerts() {
        List<String> out = List.copyOf(alerts);
        alerts.clear();
        return out;
    }

    /** Connects and logs in; throws what {@link Failure#of} classifies. */
    @SuppressWarnings("NullAway") // a Call<Void> returns null: NullAway sees T = Void only in JSpecify mode (JDK 22+)
    static Connection open(Settings settings) throws MessagingException, GeneralSecurityException {
        String protocol = settings.security() == Security.TLS ? "imaps" : "imap";
        WireGuard guard = new WireGuard(new WireGuard.Limits(
                settings.greetingTimeout(),
                settings.readTimeout(),
                settings.stallTimeout(),
                settings.maxResponseSize()));
        Session session = Session.getInstance(properties(settings, protocol, guard));
        String token = settings.oauth2Token() != null ? settings.oauth2Token().get() : null;
        IMAPStore store = new AngusStore(session, protocol, settings, token);
        String secret;
        if (token != null) {
            // AngusStore authenticates with the token itself (OAUTHBEARER or XOAUTH2) and forbids
            // Angus Mail's LOGIN fallback; what Angus Mail holds as the password is never the token.
            secret = "-";
        } else {
            char[] password = requireNonNull(settings.password(), "no password and no token")
                    .get();
            secret = new String(password);
        }
        store.connect(settings.host(), settings.port(), settings.username(), secret);
        Connection connection = new Connection(store, (IMAPFolder) store.getDefaultFolder(), settings.account());
        // Angus Mail hands the untagged answers of its own commands to the protocol's handlers;
        // Commands.stream hands over those with an alert. Alerts sent with the greeting or the
        // login reach only Angus Mail's own (asynchronous) store events, which are not read.
        try {
            connection.call((p, c) -> {
                p.addResponseHandler(c::notice);
                return null;
            });
        } catch (ProtocolException | IOException e) {
            connection.close();
            throw new MessagingException("cannot watch for alerts: " + e.getMessage(), e);
        }
        if (store.hasCapability("QRESYNC") && store.hasCapability("ENABLE")) {
            // RFC 7162 3.2.3 and RFC 5161: ENABLE belongs to the authenticated state, before any
            // SELECT; connections are reused with a mailbox selected, so every one enables at
            // login. Only then may a UID FETCH ask for VANISHED (EARLIER).
            try {
                connection.call((p, c) -> {
                    p.enable("QRESYNC");
                    return null;
                });
            } catch (ProtocolException | IOException e) {
                connection.close();
                throw new MessagingException("ENABLE QRESYNC failed: " + e.getMessage(), e);
            } catch (MessagingException | RuntimeException e) {
                connection.close();
                throw e;
            }
        }
        return connection;
    }

    private static Properties properties(Settings settings, String protocol, WireGuard guard)
            throws GeneralSecurityException {
        String p = "mail." + protocol + ".";
        Properties props = new Properties();
        props.setProperty(p + "host", settings.host());
        props.setProperty(p + "port", Integer.toString(settings.port()));
        props.setProperty(
                p + "connectiontimeout", Long.toString(settings.connectTimeout().toMillis()));
        props.setProperty(p + "timeout", Long.toString(settings.readTimeout().toMillis()));
        // Angus Mail's write timeout needs a thread per connection; a server that stops reading is
        // caught by the WireGuard's watchdog (stall timeout) instead.
        props.setProperty(p + "peek", "true");
        props.setProperty(p + "fetchsize", Integer.toString(1 << 20));
        props.setProperty(p + "partialfetch", "true");
        props.setProperty(p + "ssl.checkserveridentity", "true");
        // Every byte goes through the guard (greeting, stall and deadline limits, response size).
        props.put(p + "socketFactory", new GuardedSockets.PlainFactory(guard));
        // Angus Mail retries a failed connect with the JDK's default factory unless told not to
        // ("socketFactory.fallback", default true), which would hide our trust decision and the guard.
        props.setProperty(p + "socketFactory.fallback", "false");
        if (settings.security() != Security.NONE) {
            PinningTrustManager trust =
                    new PinningTrustManager(settings.host(), settings.trustStore(), settings.pinnedSha256());
            props.put(p + "ssl.socketFactory", new GuardedSockets.TlsFactory(trust.socketFactory(), guard));
        }
        if (settings.security() == Security.TLS) {
            props.setProperty(p + "ssl.enable", "true");
        }
        if (settings.security() == Security.STARTTLS) {
            props.setProperty(p + "starttls.enable", "true");
            props.setProperty(p + "starttls.required", "true");
        }
        if (settings.oauth2Token() != null) {
            // AngusStore.preLogin authenticates; should Angus Mail's own login ever run, it may try
            // XOAUTH2 only, never PLAIN or LOGIN with the token.
            props.setProperty(p + "auth.mechanisms", "XOAUTH2");
            props.setProperty(p + "auth.xoauth2.disable", "false");
            props.setProperty(p + "auth.plain.disable", "true");
            props.setProperty(p + "auth.login.disable", "true");
        } else {
            props.setProperty(p + "auth.mechanisms", "PLAIN LOGIN");
        }
        if (settings.authorizationId() != null) {
            // SASL PLAIN carries the authorization identity (RFC 4616): master user logs in as it.
            props.setProperty(p + "sasl.authorizationid", settings.authorizationId());
            props.setProperty(p + "auth.login.disable", "true");
        }
        // Never let Angus Mail print the protocol (and with it a login) to stdout.
        props.setProperty("mail.debug", "false");
        props.setProperty("mail.debug.auth", "false");
        return props;
    }

    /** Runs commands on this connection; any I/O failure marks it broken. */
    @SuppressWarnings("NullAway") // a Call<Void> returns null: NullAway sees T = Void only in JSpecify mode (JDK 22+)
    <T> T call(Call<T> call) throws ProtocolException, IOException, MessagingException {
        if (broken) {
            throw new IOException("connection already lost");
        }
        Outcome<T> outcome = new Outcome<>();
        try {
            anchor.doCommand(p -> {
                try {
                    outcome.value = call.run(p, this);
                } catch (ProtocolException | IOException | RuntimeException e) {
                    outcome.failure = e;
                }
                return null;
            });
        } catch (MessagingException e) {
            broken = true;
            throw e;
        }
        Exception failure = outcome.failure;
        if (failure == null) {
            return outcome.value;
        }
        if (failure instanceof org.eclipse.angus.mail.iap.CommandFailedException
                || failure instanceof org.eclipse.angus.mail.iap.BadCommandException) {
            throw (ProtocolException) failure;
        }
        broken = true;
        if (failure instanceof ProtocolException pe) {
            throw pe;
        }
        if (failure instanceof IOException io) {
            throw io;
        }
        throw (RuntimeException) failure;
    }

    boolean hasCapability(String capability) {
        try {
            return store.hasCapability(capability);
        } catch (MessagingException e) {
            broken = true;
            return false;
        }
    }

    /**
     * Whether a command on this connection failed in a way that leaves it unusable. Not {@code
     * IMAPStore.isConnected()}, which sends a NOOP each time it is asked.
     */
    boolean broken() {
        return broken;
    }

    void markBroken() {
        broken = true;
    }

    /** The server name of the selected mailbox, if this connection selected one. */
    @Nullable
    String selected() {
        return selected;
    }

    void selected(@Nullable String name) {
        this.selected = name;
    }

    /** Logs out, or just drops the socket when the connection is already gone. */
    @Override
    public void close() {
        try {
            store.close();
        } catch (MessagingException e) {
            // Closing a connection that is gone cannot fail in a way worth reporting.
        }
    }

    /** Commands to run with the connection's protocol. */
    @FunctionalInterface
    interface Call<T> {
        T run(IMAPProtocol protocol, Connection connection) throws ProtocolException, IOException;
    }

    private static final class Outcome<T> {
        @Nullable
        T value;

        @Nullable
        Exception failure;
    }
}
