package org.mailsync.examples.templates;

import java.nio.file.Path;
import org.mailsync.FolderMapping;
import org.mailsync.IdentityStrategies;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.imap.ImapStore;
import org.mailsync.maildir.MaildirStore;

/**
 * Template: restore a Maildir backup into an IMAP account, for instance after a user deleted a
 * folder by mistake. Messages still on the server are recognised by their content and not copied
 * twice, so restoring into a live account is safe.
 *
 * <p>Thread-safe (stateless).
 */
public final class MaildirRestoreToImap {
    private MaildirRestoreToImap() {}

    /** Restores every folder of {@code maildir} into {@code account}. */
    public static SyncReport restore(Path maildir, String account, char[] password, Path stateDir) throws Exception {
        try (MaildirStore source =
                        MaildirStore.builder().root(maildir).createRoot(false).build();
                ImapStore target =
                        ImapStore.builder().endpoint(account).password(password).connect()) {
            return SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpointDirectory(stateDir)
                    .folders(FolderMapping.builder().automapSpecialUse(false).build())
                    // A content hash is exact: a message on the server counts as restored only if it
                    // is byte for byte the one in the backup.
                    .identity(IdentityStrategies.contentHash())
                    .build()
                    .run();
        }
    }

    /** {@code PASSWORD=... java ... MaildirRestoreToImap ~/Maildir imaps://anna@imap.example state/} */
    public static void main(String[] args) throws Exception {
        System.out.print(
                restore(Path.of(args[0]), args[1], System.getenv("PASSWORD").toCharArray(), Path.of(args[2]))
                        .toText());
    }
}
