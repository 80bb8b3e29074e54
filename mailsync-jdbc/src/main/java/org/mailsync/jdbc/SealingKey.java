package org.mailsync.jdbc;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.Hashing;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The public half of the workers' secret key: an X25519 public key that anyone may hold, since it
 * can only seal ({@link SecretSealer}), never open. Its {@link #id()} (a hash of the key) is
 * written into every sealed secret, so a worker holding another key says so instead of failing
 * obscurely.
 *
 * <p>Immutable.
 */
public final class SealingKey {
    static final String ALGORITHM = "X25519";

    private final byte[] encoded;
    private final PublicKey key;
    private final String id;

    private SealingKey(byte[] encoded, PublicKey key) {
        this.encoded = encoded;
        this.key = key;
        this.id = Hashing.sha256().hashBytes(encoded).toString().substring(0, 16);
    }

    /** The key from its X.509 (SubjectPublicKeyInfo) encoding, as {@link #encoded()} gives it. */
    public static SealingKey fromEncoded(byte[] x509) {
        try {
            PublicKey key = KeyFactory.getInstance("XDH").generatePublic(new X509EncodedKeySpec(x509.clone()));
            checkArgument(
                    key.getAlgorithm().equals("XDH") || key.getAlgorithm().equals(ALGORITHM),
                    "not an X25519 public key: %s",
                    key.getAlgorithm());
            return new SealingKey(x509.clone(), key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an X25519 public key: " + e.getMessage(), e);
        }
    }

    static SealingKey of(PublicKey key) {
        return fromEncoded(key.getEncoded());
    }

    /** The key in text, as written to {@code *.pub} files: {@code mailsync-x25519 <base64>}. */
    public String toText() {
        return "mailsync-x25519 " + Base64.getEncoder().encodeToString(encoded);
    }

    /** The key from {@link #toText()}. */
    public static SealingKey fromText(String text) {
        String t = text.strip();
        checkArgument(t.startsWith("mailsync-x25519 "), "a mailsync public key starts with 'mailsync-x25519 '");
        return fromEncoded(Base64.getDecoder().decode(t.substring("mailsync-x25519 ".length())));
    }

    /** A short hash of the key: 16 hex digits. */
    public String id() {
        return id;
    }

    /** The X.509 encoding (a copy). */
    public byte[] encoded() {
        return encoded.clone();
    }

    PublicKey publicKey() {
        return key;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof SealingKey k && Arrays.equals(encoded, k.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "SealingKey[" + id + "]";
    }
}
