package org.mailsync.jdbc;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;

/**
 * Makes and reads the workers' key pair for account secrets. The private key lives only in a file
 * on the workers ({@code 0600}, PEM PKCS#8); the public key goes to the database ({@link
 * AccountSecrets#publishKey}) or a {@code .pub} file beside it, for whoever enqueues accounts.
 *
 * <p>Thread-safe (stateless).
 */
public final class SecretKeys {
    private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PEM_END = "-----END PRIVATE KEY-----";

    private SecretKeys() {}

    /**
     * Generates a key pair, writes the private key to {@code privateKeyFile} (created {@code 0600},
     * never over an existing file: secrets sealed to a lost key cannot be opened) and the public
     * key to {@code privateKeyFile + ".pub"}, and returns the public key.
     *
     * @throws FileAlreadyExistsException if either file exists
     */
    public static SealingKey generate(Path privateKeyFile) throws IOException {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(SealingKey.ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("this Java has no X25519: " + e.getMessage(), e);
        }
        SealingKey key = SealingKey.of(pair.getPublic());
        Path pub = publicKeyFile(privateKeyFile);
        if (Files.exists(pub, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(pub.toString(), null, "a key's public file is in the way");
        }
        byte[] der = pair.getPrivate().getEncoded();
        byte[] pem = (PEM_BEGIN + "\n"
                        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n" + PEM_END + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(der, (byte) 0);
        try {
            // CREATE_NEW does not follow a link at the name (it fails on any existing entry), and the
            // mode is set at creation: the key is never readable by others, not even for a moment.
            try (FileChannel out = FileChannel.open(
                    privateKeyFile,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                out.write(java.nio.ByteBuffer.wrap(pem));
                out.force(true);
            }
        } finally {
            Arrays.fill(pem, (byte) 0);
        }
        // The umask may have narrowed the mode further, never widened it; set it exactly.
        Files.setPosixFilePermissions(privateKeyFile, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(pub, key.toText() + "\n", StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
        return key;
    }

    /** Where {@link #generate} writes the public key of {@code privateKeyFile}. */
    public static Path publicKeyFile(Path privateKeyFile) {
        return privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".pub");
    }

    /** Reads a public key file written by {@link #generate}. */
    public static SealingKey readPublic(Path publicKeyFile) throws IOException {
        if (Files.isSymbolicLink(publicKeyFile)) {
            throw new IOException("public key " + publicKeyFile + " is a symbolic link: give the file itself");
        }
        try {
            return SealingKey.fromText(Files.readString(publicKeyFile, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IOException(
                    "public key " + publicKeyFile + " is not a mailsync public key: " + e.getMessage(), e);
        }
    }

    /** The DER bytes of a private key file; refuses links and files others may read. */
    static byte[] readPrivate(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("private key " + file + " is not a regular file (links are not followed)");
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        for (PosixFilePermission p : mode) {
            if (!p.name().startsWith("OWNER_")) {
                throw new IOException("private key " + file + " has mode " + PosixFilePermissions.toString(mode)
                        + ": others may read it; chmod 600 it (and ask whether it leaked)");
            }
        }
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.US_ASCII).strip();
        Arrays.fill(bytes, (byte) 0);
        if (!text.startsWith(PEM_BEGIN) || !text.endsWith(PEM_END)) {
            throw new IOException("private key " + file + " is not a PEM private key");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(PEM_BEGIN.length(), text.length() - PEM_END.length()));
        } catch (IllegalArgumentException e) {
            throw new IOException("private key " + file + " is damaged (bad base64)", e);
        }
    }
}
