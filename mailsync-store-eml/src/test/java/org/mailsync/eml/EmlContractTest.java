package org.mailsync.eml;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.MailStoreContract;

/**
 * A tree of {@code .eml} files keeps the store contract as a target; every name {@code FolderPath}
 * accepts can be held ({@code ..} too: the directory is named otherwise and the sidecar keeps the
 * name).
 */
class EmlContractTest extends MailStoreContract {
    @TempDir
    Path root;

    @Override
    protected MailStore openStore() {
        return EmlStore.builder().root(root.resolve("tree")).build();
    }
}
