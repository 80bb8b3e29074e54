package org.mailsync.pop3;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import org.mailsync.ConnectionException;
import org.mailsync.ErrorContext;
import org.mailsync.MailStoreException;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.support.PinningTrustManager;

/**
 * Classifies what a POP3 exchange threw, by its causes, into the engine's remedies: a lost, slow
 * or refused connection is a {@link ConnectionException} (retry later), a certificate that is not
 * trusted, a server sending more than this store accepts or breaking the protocol is a {@link
 * StoreFailureException} (stop; retrying changes nothing).
 *
 * <p>Thread-safe (stateless).
 */
final class Failures {
    private Failures() {}

    static MailStoreException of(ErrorContext context, String doing, Exception e) {
        if (e instanceof MailStoreException classified) {
            return classified;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Guard.Violation v) {
                return v.slow()
                        ? new ConnectionException(context, doing + ": " + v.getMessage(), e)
                        : new StoreFailureException(context, doing + ": " + v.getMessage(), e);
            }
            if (t instanceof CertificateException
                    || String.valueOf(t.getMessage()).contains(PinningTrustManager.UNTRUSTED)) {
                return new StoreFailureException(context, doing + ": " + t.getMessage(), e);
            }
            if (t instanceof SSLException) {
                return new StoreFailureException(context, doing + ": TLS failed: " + t.getMessage(), e);
            }
            if (t instanceof UnknownHostException
                    || t instanceof ConnectException
                    || t instanceof NoRouteToHostException
                    || t instanceof SocketTimeoutException
                    || t instanceof SocketException
                    || t instanceof java.io.EOFException) {
                return new ConnectionException(context, doing + ": connection lost or refused: " + t, e);
            }
        }
        if (e instanceof IOException || e.getCause() instanceof IOException) {
            return new ConnectionException(context, doing + ": " + e, e);
        }
        return new StoreFailureException(context, doing + ": " + e, e);
    }
}
