package org.mailsync.spi.support;

import com.google.common.io.BaseEncoding;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Trusts what the JDK trust store (or a given one) trusts, plus certificates pinned by their
 * SHA-256 fingerprint. A certificate that is neither fails with a text that shows its subject and
 * fingerprint, so that an operator can check it with the provider and pin it. The host name is
 * checked here for pinned certificates too (and again by Angus Mail's {@code
 * ssl.checkserveridentity}, kept on). Shared by the stores that speak TLS (IMAP, POP3).
 *
 * <p>Immutable and thread-safe.
 */
public final class PinningTrustManager extends X509ExtendedTrustManager {
    /** Starts the text of the exception for an untrusted certificate, so callers can recognise it. */
    public static final String UNTRUSTED = "server certificate is not trusted";

    private final X509TrustManager delegate;
    private final Set<String> pinned;
    private final String host;

    public PinningTrustManager(String host, @Nullable KeyStore trustStore, Set<String> pinnedSha256)
            throws GeneralSecurityException {
        this.host = host;
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore);
        X509TrustManager found = null;
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                found = x509;
            }
        }
        if (found == null) {
            throw new GeneralSecurityException("the JDK offers no X.509 trust manager");
        }
        this.delegate = found;
        this.pinned = Set.copyOf(pinnedSha256);
    }

    /** An SSL socket factory that trusts what this trust manager trusts. */
    public SSLSocketFactory socketFactory() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {this}, null);
        return context.getSocketFactory();
    }

    /**
     * A fingerprint in canonical form (upper-case hex, no separators), from any usual spelling
     * ({@code AB:CD:..}, {@code abcd..}, with spaces).
     */
    public static String normalizeFingerprint(String fingerprint) {
        String hex = fingerprint
                .trim()
                .replaceFirst("(?i)^sha-?256[:=]?\\s*", "")
                .replaceAll("[:\\s-]", "")
                .toUpperCase(Locale.ROOT);
        if (!hex.matches("[0-9A-F]{64}")) {
            throw new IllegalArgumentException("not a SHA-256 fingerprint (64 hex digits): " + fingerprint);
        }
        return hex;
    }

    /** The SHA-256 fingerprint as {@code AB:CD:...}. */
    public static String fingerprint(X509Certificate certificate) throws CertificateEncodingException {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            String hex = BaseEncoding.base16().encode(digest);
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < hex.length(); i += 2) {
                if (i > 0) {
                    out.append(':');
                }
                out.append(hex, i, i + 2);
            }
            return out.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain.length > 0 && !HostNames.matches(host, chain[0])) {
            throw new CertificateException(UNTRUSTED + ": its names " + HostNames.names(chain[0])
                    + " do not include the host " + host + " (subject "
                    + chain[0].getSubjectX500Principal().getName()
                    + ", SHA-256 fingerprint " + fingerprint(chain[0]) + ")");
        }
        if (chain.length > 0 && pinned.contains(normalizeFingerprint(fingerprint(chain[0])))) {
            return;
        }
        try {
            delegate.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            if (chain.length == 0) {
                throw e;
            }
            X509Certificate leaf = chain[0];
            throw new CertificateException(
                    UNTRUSTED + ": subject " + leaf.getSubjectX500Principal().getName() + ", issuer "
                            + leaf.getIssuerX500Principal().getName() + ", SHA-256 fingerprint "
                            + fingerprint(leaf) + " (" + e.getMessage() + "). If the provider confirms this"
                            + " fingerprint, trust it with trustCertificateSha256(\"" + fingerprint(leaf) + "\")",
                    e);
        }
    }

    // An X509ExtendedTrustManager is used by the JDK as it is, not wrapped with checks of its own.
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
