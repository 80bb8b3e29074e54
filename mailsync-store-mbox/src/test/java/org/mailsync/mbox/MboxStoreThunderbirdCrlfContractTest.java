package org.mailsync.mbox;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FolderPath;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.MailStoreContract;

/**
 * The Thunderbird layout, writing mboxcl2 with CRLF line ends, keeps the store contract too: the
 * other corner of the configuration matrix.
 */
class MboxStoreThunderbirdCrlfContractTest extends MailStoreContract {
    @TempDir
    Path root;

    @Override
    protected MailStore openStore() {
        return MboxStore.builder()
                .root(root)
                .layout(MboxLayout.THUNDERBIRD)
                .format(MboxFormat.MBOXCL2)
                .lineEnding(LineEnding.CRLF)
                .build();
    }

    /** Thunderbird keeps its own Name.sbd directories: such a name is refused. */
    @Override
    protected Optional<FolderPath> unholdableFolder() {
        return Optional.of(FolderPath.of("Archive.sbd"));
    }
}
