package org.mailsync.migration.spi;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.mailsync.migration.AccountState;

/**
 * Where the state of every account's migration is kept, so that it survives a restart of the
 * vendor's server. The file-based default is {@link org.mailsync.migration.FileMigrationStateStore};
 * a vendor may keep it in its own database instead.
 *
 * <p>A store that several processes share (the nodes of a vendor's cluster, on one database) says
 * so with {@link #shared()}: auto-migration then reads an account's state from the store at each
 * use ({@link #current}) rather than from its memory, and changes it with {@link #change}, atomic
 * against the other nodes' changes; so every node answers a login or a route alike.
 *
 * <p>Implementations are thread-safe; auto-migration never saves one account from two threads at once.
 */
public interface MigrationStateStore {
    /** Every account with a recorded state. */
    List<AccountState> loadAll() throws IOException;

    /** Replaces the account's state atomically (a crash leaves the old or the new, never a mix). */
    void save(AccountState state) throws IOException;

    /** Whether other processes change these states too (see the class comment). Default false. */
    default boolean shared() {
        return false;
    }

    /**
     * The account's state as the store holds it now. Called only when {@link #shared()}.
     *
     * @throws UnsupportedOperationException by default
     */
    default Optional<AccountState> current(String account) throws IOException {
        throw new UnsupportedOperationException("not a shared state store: " + this);
    }

    /**
     * Reads the account's state (or takes {@code fresh} when it has none), applies {@code change}
     * and saves the result, atomically against other processes' changes (applying {@code change}
     * again to a newer state if one was saved in between); returns the state saved. Called only
     * when {@link #shared()}.
     *
     * @throws UnsupportedOperationException by default
     */
    default AccountState change(String account, @Nullable AccountState fresh, UnaryOperator<AccountState> change)
            throws IOException {
        throw new UnsupportedOperationException("not a shared state store: " + this);
    }
}
