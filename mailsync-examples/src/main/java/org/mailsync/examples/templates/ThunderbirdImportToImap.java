package org.mailsync.examples.templates;

import java.nio.file.Path;
import org.mailsync.FolderMapping;
import org.mailsync.FolderPath;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.imap.ImapStore;
import org.mailsync.mbox.MboxLayout;
import org.mailsync.mbox.MboxStore;

/**
 * Template: import the local folders of a Thunderbird profile ({@code Mail/Local Folders}: mbox
 * files, sub-folders in {@code Name.sbd}) into an IMAP account, under one folder so that nothing
 * mixes with the mail already there. Read, replied and starred marks and tags come along.
 *
 * <p>Thread-safe (stateless).
 */
public final class ThunderbirdImportToImap {
    private ThunderbirdImportToImap() {}

    /** Imports {@code localFolders} into {@code account} under the folder {@code under}. */
    public static SyncReport importFolders(
            Path localFolders, String account, char[] password, String under, Path stateDir) throws Exception {
        try (MboxStore source = MboxStore.builder()
                        .root(localFolders)
                        .layout(MboxLayout.THUNDERBIRD)
                        .build();
                ImapStore target =
                        ImapStore.builder().endpoint(account).password(password).connect()) {
            return SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpointDirectory(stateDir)
                    .folders(FolderMapping.builder()
                            .automapSpecialUse(false)
                            .under(FolderPath.of(under))
                            .build())
                    .build()
                    .run();
        }
    }

    /** {@code PASSWORD=... java ... ThunderbirdImportToImap "~/.thunderbird/x.default/Mail/Local Folders" imaps://anna@imap.example Import state/} */
    public static void main(String[] args) throws Exception {
        System.out.print(importFolders(
                        Path.of(args[0]), args[1], System.getenv("PASSWORD").toCharArray(), args[2], Path.of(args[3]))
                .toText());
    }
}
