package org.mailsync.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import javax.crypto.Cipher;

/** RSA-OAEP sealing for the tests' workers (a key file the child JVMs read). */
final class TestSecrets {
    private static final String CIPHER = "RSA/ECB/OAEPWithSHA-256AndMGF1Padding";
    private final PublicKey publicKey;
    private final PrivateKey privateKey;

    private TestSecrets(PublicKey publicKey, PrivateKey privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    static TestSecrets create(Path keyFile) throws IOException, GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        Files.write(keyFile, pair.getPrivate().getEncoded());
        return new TestSecrets(pair.getPublic(), pair.getPrivate());
    }

    static TestSecrets load(Path keyFile) throws IOException, GeneralSecurityException {
        PrivateKey key =
                KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(keyFile)));
        return new TestSecrets(null, key);
    }

    byte[] seal(char[] secret) {
        try {
            Cipher c = Cipher.getInstance(CIPHER);
            c.init(Cipher.ENCRYPT_MODE, publicKey);
            return c.doFinal(new String(secret).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    char[] unseal(byte[] sealed) {
        try {
            Cipher c = Cipher.getInstance(CIPHER);
            c.init(Cipher.DECRYPT_MODE, privateKey);
            return StandardCharsets.UTF_8
                    .decode(java.nio.ByteBuffer.wrap(c.doFinal(sealed)))
                    .toString()
                    .toCharArray();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
