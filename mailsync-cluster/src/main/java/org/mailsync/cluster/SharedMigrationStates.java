package org.mailsync.cluster;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.mailsync.jdbc.JdbcMigrationStateStore;
import org.mailsync.migration.AccountState;
import org.mailsync.migration.spi.MigrationStateStore;

/**
 * Auto-migration's account states shared by the nodes of a cluster: mailsync-jdbc's {@link
 * JdbcMigrationStateStore} (a version per row, compare-and-set saves), marked {@link #shared()} so
 * that every node reads an account's state from the database at each use and changes it
 * atomically; hence {@code onLogin} and {@code route} answer alike on every node.
 *
 * <p>Thread-safe.
 */
public final class SharedMigrationStates implements MigrationStateStore {
    private final JdbcMigrationStateStore store;

    private SharedMigrationStates(JdbcMigrationStateStore store) {
        this.store = store;
    }

    /** Over the database behind {@code db} (mailsync-jdbc's schema applied). */
    public static SharedMigrationStates over(DataSource db) {
        return new SharedMigrationStates(JdbcMigrationStateStore.over(db));
    }

    @Override
    public List<AccountState> loadAll() throws IOException {
        return store.loadAll();
    }

    @Override
    public void save(AccountState state) throws IOException {
        store.update(state.account(), state, s -> state);
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public Optional<AccountState> current(String account) throws IOException {
        return store.load(account).map(JdbcMigrationStateStore.Versioned::state);
    }

    @Override
    public AccountState change(String account, @Nullable AccountState fresh, UnaryOperator<AccountState> change)
            throws IOException {
        return store.update(account, fresh, change).state();
    }

    @Override
    public String toString() {
        return "SharedMigrationStates[" + store + "]";
    }
}
