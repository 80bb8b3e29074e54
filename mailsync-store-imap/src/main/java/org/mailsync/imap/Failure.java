package org.mailsync.imap;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.FolderClosedException;
import jakarta.mail.MessagingException;
import jakarta.mail.StoreClosedException;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.iap.BadCommandException;
import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.iap.ConnectionException;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.jspecify.annotations.Nullable;
import org.mailsync.spi.support.PinningTrustManager;

/**
 * What went wrong in one IMAP exchange, classified for the retry loop and for the exception the
 * caller sees: a lost connection (retry an idempotent command), a throttling answer (wait, then
 * retry), a refused login (never retry), an untrusted certificate or missing STARTTLS (never
 * retry), or a plain NO / BAD to the command.
 *
 * <p>Immutable.
 */
record Failure(Kind kind, String text, @Nullable Duration retryAfter, Throwable cause) {
    enum Kind {
        LOST,
        THROTTLED,
        AUTHENTICATION,
        INSECURE,
        /** STARTTLS refused: a connection failure, never a refused login, never retried. */
        TLS,
        /** The server broke the protocol or a bound of this store: never retried. */
        PROTOCOL,
        NO,
        BAD,
        OTHER
    }

    // Microsoft 365: "Request is throttled. Suggested Backoff Time: 64013 milliseconds".
    private static final Pattern SUGGESTED_BACKOFF =
            Pattern.compile("backoff time:\\s*(\\d+)\\s*milliseconds", Pattern.CASE_INSENSITIVE);

    boolean retriable() {
        return kind == Kind.LOST || kind == Kind.THROTTLED;
    }

    /** Classifies whatever an exchange threw. */
    static Failure of(Throwable e) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof AngusStore.OAuthUnavailable) {
                return new Failure(Kind.AUTHENTICATION, String.valueOf(t.getMessage()), null, e);
            }
            if (t instanceof AngusStore.TlsRefused) {
                return new Failure(Kind.TLS, String.valueOf(t.getMessage()), null, e);
            }
            if (t instanceof WireGuard.Violation v) {
                return new Failure(v.slow() ? Kind.LOST : Kind.PROTOCOL, v.getMessage(), null, e);
            }
        }
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof AuthenticationFailedException) {
                return new Failure(Kind.AUTHENTICATION, serverText(t), null, e);
            }
            if (t instanceof CertificateException
                    && String.valueOf(t.getMessage()).startsWith(PinningTrustManager.UNTRUSTED)) {
                return new Failure(Kind.INSECURE, String.valueOf(t.getMessage()), null, e);
            }
            if (t instanceof javax.net.ssl.SSLException && !(t.getCause() instanceof IOException)) {
                Failure inner = t.getCause() == null ? null : of(t.getCause());
                if (inner != null && inner.kind == Kind.INSECURE) {
                    return new Failure(Kind.INSECURE, inner.text, null, e);
                }
            }
            String message = String.valueOf(t.getMessage());
            if (message.contains("Can't verify identity of server")) {
                return new Failure(
                        Kind.INSECURE, "the server's certificate does not name the host (" + message + ")", null, e);
            }
            if (message.contains("STARTTLS is required")) {
                return new Failure(
                        Kind.INSECURE,
                        "the server does not offer STARTTLS, which this store requires (never a plain-text"
                                + " session instead)",
                        null,
                        e);
            }
        }
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof CommandFailedException || t instanceof BadCommandException) {
                Response r = ((ProtocolException) t).getResponse();
                String text = r != null ? responseText(r) : String.valueOf(t.getMessage());
                Failure throttled = throttled(text, e);
                if (throttled != null) {
                    return throttled;
                }
                return new Failure(t instanceof CommandFailedException ? Kind.NO : Kind.BAD, text, null, e);
            }
            if (t instanceof ConnectionException
                    || t instanceof FolderClosedException
                    || t instanceof StoreClosedException
                    || t instanceof IOException) {
                String text = String.valueOf(t.getMessage());
                Failure throttled = throttled(text, e);
                return throttled != null ? throttled : new Failure(Kind.LOST, "connection lost: " + text, null, e);
            }
        }
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof java.net.SocketException || t instanceof java.net.SocketTimeoutException) {
                return new Failure(Kind.LOST, "connection lost: " + t.getMessage(), null, e);
            }
        }
        if (e instanceof MessagingException
                && e.getMessage() != null
                && e.getMessage().contains("connect")) {
            return new Failure(Kind.LOST, "cannot connect: " + e.getMessage(), null, e);
        }
        return new Failure(Kind.OTHER, String.valueOf(e.getMessage()), null, e);
    }

    private static @Nullable Throwable next(Throwable t) {
        if (t instanceof MessagingException m && m.getNextException() != null && m.getNextException() != t) {
            return m.getNextException();
        }
        // Angus Mail turns an I/O failure inside a command into a synthetic BYE that carries it.
        if (t.getCause() == null
                && t instanceof ProtocolException pe
                && pe.getResponse() != null
                && pe.getResponse().getException() != null
                && pe.getResponse().getException() != t) {
            return pe.getResponse().getException();
        }
        return t.getCause() == t ? null : t.getCause();
    }

    private static String serverText(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? "the server refused the login" : message;
    }

    static @Nullable Failure throttled(String text, Throwable cause) {
        String lower = text.toLowerCase(Locale.ROOT);
        // Gmail: "NO [THROTTLED] ...", "NO [OVERQUOTA] Account exceeded command or bandwidth limits";
        // Microsoft 365: "Request is throttled. Suggested Backoff Time: N milliseconds", "Server
        // Unavailable. 15"; RFC 5530: [UNAVAILABLE], a subsystem is down for now. A storage quota
        // ([OVERQUOTA] without "bandwidth" or "command") stays a full mailbox.
        if (!lower.contains("[throttled]")
                && !lower.contains("request is throttled")
                && !lower.contains("exceeded command or bandwidth limits")
                && !(lower.contains("[overquota]") && (lower.contains("bandwidth") || lower.contains("command limit")))
                && !lower.contains("server unavailable")
                && !lower.contains("[unavailable]")) {
            return null;
        }
        Matcher m = SUGGESTED_BACKOFF.matcher(text);
        Duration after = m.find() ? Duration.ofMillis(Long.parseLong(m.group(1))) : null;
        return new Failure(Kind.THROTTLED, text, after, cause);
    }

    /** The text of a server response without its tag: {@code NO [LIMIT] too big}. */
    static String responseText(Response r) {
        String line = r.toString().trim();
        String tag = r.getTag();
        if (tag != null && line.startsWith(tag)) {
            line = line.substring(tag.length()).trim();
        }
        return line;
    }
}
