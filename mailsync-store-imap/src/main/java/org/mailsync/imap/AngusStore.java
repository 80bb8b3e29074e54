package org.mailsync.imap;

import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Properties;
import org.eclipse.angus.mail.iap.BadCommandException;
import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.util.MailLogger;
import org.jspecify.annotations.Nullable;

/**
 * Angus Mail's {@link IMAPStore} with the two decisions Angus Mail would otherwise make for us at
 * login: a STARTTLS the server refuses is a TLS failure ({@link TlsRefused}), not a refused login;
 * and an OAuth token goes out only in {@code AUTHENTICATE OAUTHBEARER} (RFC 7628, preferred) or
 * {@code XOAUTH2}, never as a password: Angus Mail falls back to {@code LOGIN user token} when the
 * server offers neither, so with a token this store authenticates itself before Angus Mail's login
 * runs and fails with {@link OAuthUnavailable} when it cannot.
 *
 * <p>Not thread-safe; one per {@link Connection}.
 */
final class AngusStore extends IMAPStore {
    private final String username;
    private final @Nullable String oauthToken;
    private final boolean preferXoauth2;

    AngusStore(Session session, String protocol, Settings settings, @Nullable String oauthToken) {
        super(
                session,
                new URLName(protocol, settings.host(), settings.port(), null, null, null),
                protocol,
                protocol.equals("imaps"));
        this.username = settings.username();
        this.oauthToken = oauthToken;
        this.preferXoauth2 = settings.preset() != null && settings.preset().prefersXoauth2();
    }

    @Override
    protected IMAPProtocol newIMAPProtocol(String host, int port) throws IOException, ProtocolException {
        // Angus Mail's own logger, kept: debugging stays off (mail.debug=false), so nothing is printed.
        return new Protocol(name, host, port, session.getProperties(), isSSL, logger);
    }

    @Override
    protected void preLogin(IMAPProtocol p) throws ProtocolException {
        if (oauthToken == null) {
            return;
        }
        // Whatever happens below, Angus Mail's fallback to LOGIN must never get the token.
        p.getCapabilities().put("LOGINDISABLED", "LOGINDISABLED");
        if (preferXoauth2 && p.hasCapability("AUTH=XOAUTH2")) {
            // The provider documents XOAUTH2 (Microsoft 365): used even where OAUTHBEARER is offered.
            p.authoauth2(username, oauthToken);
        } else if (p.hasCapability("AUTH=OAUTHBEARER")) {
            ((Protocol) p).oauthBearer(username, oauthToken);
        } else if (p.hasCapability("AUTH=XOAUTH2")) {
            p.authoauth2(username, oauthToken);
        } else {
            throw new OAuthUnavailable();
        }
    }

    /** The server offers no OAuth mechanism: a refused login, never a password login with the token. */
    static final class OAuthUnavailable extends ProtocolException {
        private static final long serialVersionUID = 1L;

        OAuthUnavailable() {
            super("the server offers neither OAUTHBEARER nor XOAUTH2 (AUTH=OAUTHBEARER, AUTH=XOAUTH2),"
                    + " and an OAuth token is never sent as a password");
        }
    }

    /** The server answered STARTTLS with NO or BAD: the connection cannot be protected. */
    static final class TlsRefused extends ProtocolException {
        private static final long serialVersionUID = 1L;

        TlsRefused(ProtocolException cause) {
            super(
                    "the server refused STARTTLS (" + cause.getMessage() + "); never a plain-text session instead",
                    cause);
        }
    }

    /** Angus Mail's protocol with our STARTTLS failure and OAUTHBEARER. */
    static final class Protocol extends IMAPProtocol {
        private final int serverPort;
        private volatile boolean bearerAuthenticated;

        Protocol(String name, String host, int port, Properties props, boolean isSSL, MailLogger logger)
                throws IOException, ProtocolException {
            super(name, host, port, props, isSSL, logger);
            this.serverPort = port;
        }

        /** Angus Mail keeps its own flag private; this one adds our OAUTHBEARER login to it. */
        @Override
        public boolean isAuthenticated() {
            return bearerAuthenticated || super.isAuthenticated();
        }

        @Override
        public void startTLS() throws ProtocolException {
            try {
                super.startTLS();
            } catch (CommandFailedException | BadCommandException e) {
                throw new TlsRefused(e);
            }
        }

        /**
         * {@code AUTHENTICATE OAUTHBEARER} (RFC 7628 3.1): the GS2 header with the user, the host
         * and port, and the bearer token, as the initial response (with SASL-IR, RFC 4959) or after
         * the first continuation. A failure comes as a continuation with an error document, which
         * the client answers with a single 0x01 (RFC 7628 3.2.3) before the server's NO.
         */
        synchronized void oauthBearer(String user, String token) throws ProtocolException {
            String gs2User = user.replace("=", "=3D").replace(",", "=2C");
            String message = "n,a=" + gs2User + ",\u0001host=" + host + "\u0001port=" + serverPort
                    + "\u0001auth=Bearer " + token + "\u0001\u0001";
            String initial = Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8));
            boolean saslIr = hasCapability("SASL-IR");
            try {
                String tag = writeCommand("AUTHENTICATE OAUTHBEARER" + (saslIr ? " " + initial : ""), null);
                boolean sent = saslIr;
                OutputStream out = getOutputStream();
                while (true) {
                    Response r = readResponse();
                    if (r.isContinuation()) {
                        out.write(((sent ? "AQ==" : initial) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        sent = true;
                    } else if (r.isTagged() && tag.equals(r.getTag())) {
                        handleLoginResult(r); // NO: CommandFailedException
                        setCapabilities(r);
                        bearerAuthenticated = true;
                        return;
                    } else if (r.isBYE()) {
                        throw new org.eclipse.angus.mail.iap.ConnectionException(this, r);
                    }
                }
            } catch (IOException e) {
                throw new ProtocolException("AUTHENTICATE OAUTHBEARER failed: " + e.getMessage(), e);
            }
        }
    }
}
