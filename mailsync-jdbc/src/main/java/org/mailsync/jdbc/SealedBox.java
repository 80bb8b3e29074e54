package org.mailsync.jdbc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The sealed-secret format, version 1, shared by {@link SecretSealer} and {@link SecretOpener}:
 *
 * <pre>
 * 0x01 | key id (16 ASCII hex) | ephemeral X25519 public key (44 bytes, X.509) | nonce (12) | AES-256-GCM ciphertext and tag (16)
 * </pre>
 *
 * The AES key is HKDF-SHA256 (RFC 5869) of the X25519 shared secret, salted with both public keys;
 * the GCM associated data is everything before the nonce plus the caller's context (an account and
 * a kind), so a sealed secret moved to another account's row does not open.
 */
final class SealedBox {
    static final byte VERSION = 1;
    static final int KEY_ID_LENGTH = 16;
    static final int EPHEMERAL_LENGTH = 44;
    static final int NONCE_LENGTH = 12;
    static final int TAG_BITS = 128;
    static final int HEADER_LENGTH = 1 + KEY_ID_LENGTH + EPHEMERAL_LENGTH;
    private static final byte[] INFO = "mailsync sealed secret v1".getBytes(StandardCharsets.US_ASCII);

    private SealedBox() {}

    /** The associated data: the header and the context. */
    static byte[] associatedData(byte[] header, String context) {
        byte[] ctx = context.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(header.length + 4 + ctx.length)
                .put(header)
                .putInt(ctx.length)
                .put(ctx)
                .array();
    }

    /** HKDF-SHA256, extract then expand to 32 bytes; clears the shared secret. */
    static SecretKeySpec aesKey(byte[] shared, byte[] ephemeral, byte[] recipient) throws GeneralSecurityException {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            byte[] salt = ByteBuffer.allocate(ephemeral.length + recipient.length)
                    .put(ephemeral)
                    .put(recipient)
                    .array();
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            byte[] prk = mac.doFinal(shared);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            mac.update(INFO);
            mac.update((byte) 1);
            byte[] okm = mac.doFinal();
            Arrays.fill(prk, (byte) 0);
            SecretKeySpec key = new SecretKeySpec(okm, "AES");
            Arrays.fill(okm, (byte) 0);
            return key;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new GeneralSecurityException("HKDF-SHA256 is not available: " + e.getMessage(), e);
        } finally {
            Arrays.fill(shared, (byte) 0);
        }
    }
}
