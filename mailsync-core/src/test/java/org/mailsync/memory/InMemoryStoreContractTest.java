package org.mailsync.memory;

import org.junit.jupiter.api.BeforeEach;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.MailStoreContract;

/** The in-memory store with every capability keeps the store contract. */
class InMemoryStoreContractTest extends MailStoreContract {
    private InMemoryStore store;

    @BeforeEach
    void newStore() {
        store = InMemoryStore.create("memory:full");
    }

    @Override
    protected MailStore openStore() {
        return store.reopen();
    }
}
