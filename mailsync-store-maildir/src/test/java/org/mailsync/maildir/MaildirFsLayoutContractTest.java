package org.mailsync.maildir;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FolderPath;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.MailStoreContract;

/** A Maildir tree in the fs layout keeps the store contract; {@code ..} would leave the root. */
class MaildirFsLayoutContractTest extends MailStoreContract {
    @TempDir
    Path root;

    @Override
    protected MailStore openStore() {
        return MaildirStore.builder().root(root).layout(MaildirLayout.FS).build();
    }

    @Override
    protected Optional<FolderPath> unholdableFolder() {
        return Optional.of(FolderPath.of(".."));
    }
}
