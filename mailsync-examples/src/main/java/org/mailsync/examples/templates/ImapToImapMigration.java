package org.mailsync.examples.templates;

import java.nio.file.Path;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.imap.ImapStore;

/**
 * Template: move a mailbox from one IMAP server to another. Run it as often as you like: each run
 * after the first copies only what is new, so run it a few times before the cut-over and once
 * after.
 *
 * <p>Thread-safe (stateless).
 */
public final class ImapToImapMigration {
    private ImapToImapMigration() {}

    /**
     * Copies every folder of {@code oldAccount} (e.g. {@code imaps://anna@imap.old.example}) into
     * {@code newAccount}, remembering what it did in {@code stateDir}.
     */
    public static SyncReport migrate(
            String oldAccount, char[] oldPassword, String newAccount, char[] newPassword, Path stateDir)
            throws Exception {
        try (ImapStore source = ImapStore.builder()
                        .endpoint(oldAccount)
                        .password(oldPassword)
                        .connect();
                ImapStore target = ImapStore.builder()
                        .endpoint(newAccount)
                        .password(newPassword)
                        .connect()) {
            return SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpointDirectory(stateDir)
                    .build()
                    .run();
        }
    }

    /** {@code OLD_PASSWORD=... NEW_PASSWORD=... java ... ImapToImapMigration imaps://a@old imaps://a@new state/} */
    public static void main(String[] args) throws Exception {
        SyncReport report = migrate(
                args[0],
                System.getenv("OLD_PASSWORD").toCharArray(),
                args[1],
                System.getenv("NEW_PASSWORD").toCharArray(),
                Path.of(args[2]));
        System.out.print(report.toText());
    }
}
