package org.mailsync.mbox;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FolderPath;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.MailStoreContract;

/** A directory of mboxrd files with LF line ends (the defaults) keeps the store contract. */
class MboxStoreContractTest extends MailStoreContract {
    @TempDir
    Path root;

    @Override
    protected MailStore openStore() {
        return MboxStore.builder().root(root.resolve("mail")).build();
    }

    /** ".." would leave the folder tree: refused. */
    @Override
    protected Optional<FolderPath> unholdableFolder() {
        return Optional.of(FolderPath.of(".."));
    }
}
