package org.mailsync.memory;

import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.MailStoreContract;

/**
 * The in-memory store with no optional capability and an 8 MiB size limit keeps the store
 * contract: the cases for what it lacks check that it drops keywords, returns no ids, reports no
 * modseq and rejects large messages.
 */
class InMemoryStoreMinimalContractTest extends MailStoreContract {
    private InMemoryStore store;

    @BeforeEach
    void newStore() {
        store = InMemoryStore.builder()
                .account("memory:minimal")
                .capabilities(Set.of())
                .maxMessageSize(8 * 1024 * 1024)
                .build();
    }

    @Override
    protected MailStore openStore() {
        return store.reopen();
    }
}
