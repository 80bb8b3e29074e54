package org.mailsync.migration.spi;

import java.io.IOException;
import java.util.List;
import org.mailsync.migration.AccountState;

/**
 * Where the state of every account's migration is kept, so that it survives a restart of the
 * vendor's server. The file-based default is {@link org.mailsync.migration.FileMigrationStateStore};
 * a vendor may keep it in its own database instead.
 *
 * <p>Implementations are thread-safe; auto-migration never saves one account from two threads at once.
 */
public interface MigrationStateStore {
    /** Every account with a recorded state. */
    List<AccountState> loadAll() throws IOException;

    /** Replaces the account's state atomically (a crash leaves the old or the new, never a mix). */
    void save(AccountState state) throws IOException;
}
