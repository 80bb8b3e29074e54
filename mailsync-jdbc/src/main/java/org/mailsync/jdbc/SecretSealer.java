package org.mailsync.jdbc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secrets to the workers' {@link SealingKey}: an ephemeral X25519 key agreement, HKDF-SHA256
 * and AES-256-GCM with a random nonce (a "sealed box"). Anyone holding the public key can seal;
 * only the holder of the private key file can {@link SecretOpener open}. The {@code context} (for
 * example the account and the kind of secret) is bound to the result: it opens only with the same
 * context.
 *
 * <p>Thread-safe. Never logs, and never puts a secret in an exception or {@link #toString()}.
 */
public final class SecretSealer {
    private final SealingKey key;
    private final SecureRandom random = new SecureRandom();

    private SecretSealer(SealingKey key) {
        this.key = key;
    }

    /** A sealer to {@code key}. */
    public static SecretSealer to(SealingKey key) {
        return new SecretSealer(key);
    }

    /** The key it seals to. */
    public SealingKey key() {
        return key;
    }

    /** Seals {@code secret} (not changed, not kept) for {@code context}. */
    public byte[] seal(byte[] secret, String context) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(SealingKey.ALGORITHM);
            KeyPair ephemeral = generator.generateKeyPair();
            KeyAgreement agreement = KeyAgreement.getInstance(SealingKey.ALGORITHM);
            agreement.init(ephemeral.getPrivate());
            agreement.doPhase(key.publicKey(), true);
            byte[] ephemeralEncoded = ephemeral.getPublic().getEncoded();
            SecretKeySpec aes = SealedBox.aesKey(agreement.generateSecret(), ephemeralEncoded, key.encoded());
            byte[] header = ByteBuffer.allocate(SealedBox.HEADER_LENGTH)
                    .put(SealedBox.VERSION)
                    .put(key.id().getBytes(StandardCharsets.US_ASCII))
                    .put(ephemeralEncoded)
                    .array();
            byte[] nonce = new byte[SealedBox.NONCE_LENGTH];
            random.nextBytes(nonce);
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, aes, new GCMParameterSpec(SealedBox.TAG_BITS, nonce));
            gcm.updateAAD(SealedBox.associatedData(header, context));
            byte[] body = gcm.doFinal(secret);
            return ByteBuffer.allocate(header.length + nonce.length + body.length)
                    .put(header)
                    .put(nonce)
                    .put(body)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot seal a secret: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Seals the UTF-8 bytes of {@code secret} (not changed, not kept; the bytes are cleared). */
    public byte[] seal(char[] secret, String context) throws IOException {
        // Into a buffer of our own, so that every copy of the secret's bytes can be cleared.
        ByteBuffer encoded = ByteBuffer.allocate(secret.length * 3 + 1);
        CharsetEncoder encoder = StandardCharsets.UTF_8
                .newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CoderResult result = encoder.encode(CharBuffer.wrap(secret), encoded, true);
        if (result.isError()) {
            Arrays.fill(encoded.array(), (byte) 0);
            throw new IOException("a secret must be valid text (a lone surrogate character was found)");
        }
        encoder.flush(encoded);
        byte[] bytes = Arrays.copyOf(encoded.array(), encoded.position());
        Arrays.fill(encoded.array(), (byte) 0);
        try {
            return seal(bytes, context);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "SecretSealer[" + key.id() + "]";
    }
}
