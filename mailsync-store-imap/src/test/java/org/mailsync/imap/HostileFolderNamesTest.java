package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.SkippedItem;

/** Folder names a server may send that no folder path can hold: named as skipped, never dropped silently. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileFolderNamesTest {
    @Test
    void unrepresentableNamesAreReportedAsSkippedWithTheServersSpelling() throws Exception {
        try (HostileImapServer server = new HostileImapServer()
                        .list(
                                "* LIST () \"/\" INBOX",
                                "* LIST () \"/\" Good",
                                "* LIST () \"/\" {7}\r\nbad\r\nme",
                                "* LIST () \"/\" {4}\r\nn\0ul",
                                "* LIST () \"/\" \"/lead\"",
                                "* LIST () \"/\" \"trail/\"",
                                "* LIST () \"/\" \"a//b\"");
                ImapStore store =
                        server.storeBuilder().password("pw".toCharArray()).connect()) {
            assertThat(store.listFolders())
                    .extracting(FolderInfo::path)
                    .containsExactlyInAnyOrder(FolderPath.INBOX, FolderPath.of("Good"));
            List<SkippedItem> skipped = store.skipped();
            assertThat(skipped)
                    .extracting(SkippedItem::location)
                    .containsExactlyInAnyOrder(
                            "folder \"bad\\u000d\\u000ame\"",
                            "folder \"n\\u0000ul\"",
                            "folder \"/lead\"",
                            "folder \"trail/\"",
                            "folder \"a//b\"");
            assertThat(skipped)
                    .filteredOn(s -> s.location().contains("bad"))
                    .singleElement()
                    .extracting(SkippedItem::reason)
                    .asString()
                    .contains("control character U+000D");
            assertThat(skipped)
                    .filteredOn(s -> s.location().contains("lead"))
                    .singleElement()
                    .extracting(SkippedItem::reason)
                    .asString()
                    .contains("separator");
            // No control character reaches the report unescaped.
            assertThat(skipped).allSatisfy(s -> assertThat(s.toString()).doesNotContainPattern("[\\x00-\\x1f]"));
        }
    }

    @Test
    void aListingWithoutBadNamesSkipsNothing() throws Exception {
        try (HostileImapServer server =
                        new HostileImapServer().list("* LIST () \"/\" INBOX", "* LIST () \"/\" \"Sent\"");
                ImapStore store =
                        server.storeBuilder().password("pw".toCharArray()).connect()) {
            assertThat(store.skipped()).isEmpty();
            assertThat(store.listFolders()).hasSize(2);
        }
    }
}
