package org.mailsync.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * The account of the no-op benchmark: many small messages in ten Maildir++ folders, written
 * straight into the source Dovecot's tree (a no-op pass costs by message and folder count, not by
 * size), and an mbsync configuration pulling it into another user of the target Dovecot.
 */
final class NoOpCorpus {
    /** Maildir++ folder directories ("" is INBOX) and each one's share of the messages, in %. */
    static final List<String> FOLDERS =
            List.of("", ".Archive", ".Sent", ".Lists", ".Projects", ".Trash", ".Drafts", ".Work", ".Family", ".Travel");

    private static final int[] SHARE = {40, 20, 10, 8, 6, 5, 4, 3, 2, 2};

    private NoOpCorpus() {}

    /** Writes {@code messages} messages of 1-4 KB; a third of them unseen. */
    static void write(Path maildir, int messages) throws IOException {
        Random random = new Random(15);
        int n = 0;
        for (int f = 0; f < FOLDERS.size(); f++) {
            Path dir = FOLDERS.get(f).isEmpty() ? maildir : maildir.resolve(FOLDERS.get(f));
            for (String sub : List.of("cur", "new", "tmp")) {
                Files.createDirectories(dir.resolve(sub));
            }
            int count = f == FOLDERS.size() - 1 ? messages - n : messages * SHARE[f] / 100;
            for (int i = 0; i < count; i++, n++) {
                String text = "From: Sender " + n % 300 + " <s" + n % 300 + "@example.org>\r\n"
                        + "To: bench@example.org\r\nSubject: Message " + n + "\r\n"
                        + "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <" + n + ".noop@example.org>\r\n\r\n"
                        + "A line of the body.\r\n".repeat(40 + random.nextInt(150));
                byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
                String flags = random.nextInt(3) == 0 ? "" : "S";
                Files.write(
                        dir.resolve("cur")
                                .resolve((1_700_000_000L + n) + ".M" + n + "P1.noop,S=" + bytes.length + ":2," + flags),
                        bytes);
            }
        }
    }

    /** mbsync pulling user bench of one server into user mbsync of the other, state in {@code dir}. */
    static Path mbsyncConfig(Path dir, int sourcePort, int targetPort) throws IOException {
        Path state = Files.createDirectories(dir.resolve("mbsync-state"));
        String config = "IMAPAccount src\nHost 127.0.0.1\nPort " + sourcePort
                + "\nUser bench\nPass pw-bench\nSSLType None\nAuthMechs LOGIN\n\n"
                + "IMAPStore src\nAccount src\n\n"
                + "IMAPAccount dst\nHost 127.0.0.1\nPort " + targetPort
                + "\nUser mbsync\nPass pw-mbsync\nSSLType None\nAuthMechs LOGIN\n\n"
                + "IMAPStore dst\nAccount dst\n\n"
                + "Channel bench\nFar :src:\nNear :dst:\nPatterns *\nCreate Near\nSync Pull\nCopyArrivalDate yes\n"
                + "SyncState " + state + "/\n";
        Path file = dir.resolve("mbsyncrc");
        Files.writeString(file, config);
        return file;
    }
}
