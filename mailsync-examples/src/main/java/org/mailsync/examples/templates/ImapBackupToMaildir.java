package org.mailsync.examples.templates;

import java.nio.file.Path;
import org.mailsync.FolderMapping;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.imap.ImapStore;
import org.mailsync.maildir.MaildirStore;

/**
 * Template: back an IMAP account up into a Maildir that Dovecot (or mutt) can read. Nightly runs
 * copy only the day's new mail; special-use folders keep their names, since a backup should look
 * like the account it came from.
 *
 * <p>Thread-safe (stateless).
 */
public final class ImapBackupToMaildir {
    private ImapBackupToMaildir() {}

    /** Backs up {@code account} into {@code maildir}; the state lives beside it. */
    public static SyncReport backup(String account, char[] password, Path maildir, Path stateDir) throws Exception {
        try (ImapStore source =
                        ImapStore.builder().endpoint(account).password(password).connect();
                MaildirStore target = MaildirStore.builder().root(maildir).build()) {
            return SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpointDirectory(stateDir)
                    .folders(FolderMapping.builder().automapSpecialUse(false).build())
                    .build()
                    .run();
        }
    }

    /** {@code PASSWORD=... java ... ImapBackupToMaildir imaps://anna@imap.example ~/Maildir ~/.backup-state} */
    public static void main(String[] args) throws Exception {
        System.out.print(backup(args[0], System.getenv("PASSWORD").toCharArray(), Path.of(args[1]), Path.of(args[2]))
                .toText());
    }
}
