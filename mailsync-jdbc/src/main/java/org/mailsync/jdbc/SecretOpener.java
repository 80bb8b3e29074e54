package org.mailsync.jdbc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opens secrets sealed by {@link SecretSealer}, with the private key from the workers' key file
 * ({@link SecretKeys#generate}). A secret sealed to another key, changed by a single bit, or
 * presented with another context (another account's row) is refused.
 *
 * <p>Thread-safe. Never logs, and never puts a secret in an exception or {@link #toString()}.
 */
public final class SecretOpener {
    private final PrivateKey privateKey;
    private final SealingKey publicKey;

    private SecretOpener(PrivateKey privateKey, SealingKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /**
     * Reads the private key file (a regular file, not a link, readable by its owner only) and its
     * public key file beside it.
     */
    public static SecretOpener fromKeyFile(Path privateKeyFile) throws IOException {
        byte[] der = SecretKeys.readPrivate(privateKeyFile);
        try {
            PrivateKey key = KeyFactory.getInstance("XDH").generatePrivate(new PKCS8EncodedKeySpec(der));
            SealingKey pub = SecretKeys.readPublic(SecretKeys.publicKeyFile(privateKeyFile));
            SecretOpener opener = new SecretOpener(key, pub);
            opener.checkPair(privateKeyFile);
            return opener;
        } catch (GeneralSecurityException e) {
            throw new IOException("private key " + privateKeyFile + " is not an X25519 key", e);
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    /** Seals and opens a probe: the two files must be halves of one pair. */
    private void checkPair(Path file) throws IOException {
        byte[] probe = {1, 2, 3};
        try {
            open(SecretSealer.to(publicKey).seal(probe, "key check"), "key check");
        } catch (IOException e) {
            throw new IOException("private key " + file + " and its .pub file are not one pair", e);
        }
    }

    /** The public key of this opener's pair. */
    public SealingKey publicKey() {
        return publicKey;
    }

    /**
     * Opens {@code sealed} for {@code context}.
     *
     * @throws IOException if it was sealed to another key, was changed, or belongs to another context
     */
    public byte[] open(byte[] sealed, String context) throws IOException {
        if (sealed.length < SealedBox.HEADER_LENGTH + SealedBox.NONCE_LENGTH + SealedBox.TAG_BITS / 8
                || sealed[0] != SealedBox.VERSION) {
            throw new IOException(
                    "not a sealed secret of format " + SealedBox.VERSION + " (damaged, or from a newer mailsync)");
        }
        String keyId = new String(sealed, 1, SealedBox.KEY_ID_LENGTH, StandardCharsets.US_ASCII);
        if (!keyId.equals(publicKey.id())) {
            throw new IOException("the secret was sealed to key " + keyId.replaceAll("[^0-9a-f]", "?")
                    + ", and this worker holds key " + publicKey.id() + ": give it the key file of that key");
        }
        byte[] header = Arrays.copyOfRange(sealed, 0, SealedBox.HEADER_LENGTH);
        byte[] ephemeral = Arrays.copyOfRange(sealed, 1 + SealedBox.KEY_ID_LENGTH, SealedBox.HEADER_LENGTH);
        try {
            KeyAgreement agreement = KeyAgreement.getInstance(SealingKey.ALGORITHM);
            agreement.init(privateKey);
            agreement.doPhase(
                    KeyFactory.getInstance("XDH").generatePublic(new java.security.spec.X509EncodedKeySpec(ephemeral)),
                    true);
            SecretKeySpec aes = SealedBox.aesKey(agreement.generateSecret(), ephemeral, publicKey.encoded());
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(
                    Cipher.DECRYPT_MODE,
                    aes,
                    new GCMParameterSpec(SealedBox.TAG_BITS, sealed, SealedBox.HEADER_LENGTH, SealedBox.NONCE_LENGTH));
            gcm.updateAAD(SealedBox.associatedData(header, context));
            int bodyAt = SealedBox.HEADER_LENGTH + SealedBox.NONCE_LENGTH;
            return gcm.doFinal(sealed, bodyAt, sealed.length - bodyAt);
        } catch (AEADBadTagException e) {
            throw new IOException("the sealed secret does not open: it was changed, or it was sealed for another"
                    + " context (another account or kind)");
        } catch (GeneralSecurityException e) {
            throw new IOException(
                    "the sealed secret does not open: " + e.getClass().getSimpleName());
        }
    }

    /** {@link #open} as characters (UTF-8); the caller clears the array when done. */
    public char[] openChars(byte[] sealed, String context) throws IOException {
        byte[] bytes = open(sealed, context);
        // Into a buffer of our own, so that every copy of the secret's characters can be cleared.
        CharBuffer chars = CharBuffer.allocate(bytes.length);
        try {
            CoderResult result = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes), chars, true);
            if (result.isError()) {
                throw new IOException("the opened secret is not UTF-8 text");
            }
            return Arrays.copyOf(chars.array(), chars.position());
        } finally {
            Arrays.fill(chars.array(), '\0');
            Arrays.fill(bytes, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "SecretOpener[" + publicKey.id() + "]";
    }
}
