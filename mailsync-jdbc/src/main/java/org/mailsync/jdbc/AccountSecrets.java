package org.mailsync.jdbc;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Account secrets (passwords, master logins, OAuth tokens) in table {@code
 * mailsync_account_secret}, sealed to the workers' key: whoever enqueues accounts seals with the
 * public key ({@link #publishKey published} in the database, or read from a {@code .pub} file);
 * only the workers, with the private key file, can open them. The database never sees a secret in
 * clear, and a sealed secret copied to another account's row does not open.
 *
 * <p>The {@code account} is any name the caller keys secrets by: an account, or for a master login
 * a domain or legacy host ({@code "master:legacy.example.org"}).
 *
 * <p>Thread-safe. Never logs a secret, and no exception or {@link #toString()} holds one.
 */
public final class AccountSecrets {
    /** What a secret is for. */
    public enum Kind {
        /** The user's password on the legacy server. */
        PASSWORD,
        /** An administrator's (master) password on the legacy server. */
        MASTER_PASSWORD,
        /** An OAuth access or refresh token. */
        OAUTH_TOKEN;

        String column() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final DataSource dataSource;

    private AccountSecrets(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The secrets in the database behind {@code dataSource}, whose schema {@link Schema#migrate} created. */
    public static AccountSecrets over(DataSource dataSource) {
        return new AccountSecrets(dataSource);
    }

    /** Records {@code key} as the workers' public key (the newest published is the one to seal to). */
    public void publishKey(SealingKey key) throws IOException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("insert into mailsync_secret_key (key_id, algorithm, public_key)"
                                + " values (?, ?, ?) on conflict (key_id) do update set created_at = now()")) {
            ps.setString(1, key.id());
            ps.setString(2, SealingKey.ALGORITHM);
            ps.setBytes(3, key.encoded());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot publish key " + key.id() + ": " + e.getMessage(), e);
        }
    }

    /** The public key published last, if any. */
    public Optional<SealingKey> publishedKey() throws IOException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select public_key from mailsync_secret_key order by created_at desc, key_id limit 1");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(SealingKey.fromEncoded(rs.getBytes(1))) : Optional.empty();
        } catch (SQLException e) {
            throw new IOException("cannot read the published key: " + e.getMessage(), e);
        }
    }

    /** Seals {@code secret} (not changed, not kept) with {@code sealer} and stores it, replacing any. */
    public void put(String account, Kind kind, char[] secret, SecretSealer sealer) throws IOException {
        checkArgument(!account.isBlank(), "account must not be blank");
        byte[] sealed = sealer.seal(secret, context(account, kind));
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("insert into mailsync_account_secret"
                        + " (account, kind, key_id, sealed) values (?, ?, ?, ?) on conflict (account, kind)"
                        + " do update set key_id = excluded.key_id, sealed = excluded.sealed, updated_at = now()")) {
            ps.setString(1, account);
            ps.setString(2, kind.column());
            ps.setString(3, sealer.key().id());
            ps.setBytes(4, sealed);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot store the " + kind.column() + " of " + account + ": " + e.getMessage(), e);
        }
    }

    /**
     * The account's secret of {@code kind}, opened; empty if none is stored. The caller clears the
     * array when done.
     *
     * @throws IOException if it does not open (another key, changed, or moved from another row)
     */
    public Optional<char[]> open(String account, Kind kind, SecretOpener opener) throws IOException {
        byte[] sealed;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select sealed from mailsync_account_secret where account = ? and kind = ?")) {
            ps.setString(1, account);
            ps.setString(2, kind.column());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                sealed = rs.getBytes(1);
            }
        } catch (SQLException e) {
            throw new IOException("cannot read the " + kind.column() + " of " + account + ": " + e.getMessage(), e);
        }
        try {
            return Optional.of(opener.openChars(sealed, context(account, kind)));
        } catch (IOException e) {
            throw new IOException(
                    "the " + kind.column() + " of " + account + " cannot be opened: " + e.getMessage(), e);
        }
    }

    /** Whether a secret of {@code kind} is stored for the account. */
    public boolean has(String account, Kind kind) throws IOException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("select 1 from mailsync_account_secret where account = ? and kind = ?")) {
            ps.setString(1, account);
            ps.setString(2, kind.column());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IOException("cannot read the secrets of " + account + ": " + e.getMessage(), e);
        }
    }

    /** Deletes every secret of the account (when its migration is done); returns how many. */
    public int deleteAll(String account) throws IOException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("delete from mailsync_account_secret where account = ?")) {
            ps.setString(1, account);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot delete the secrets of " + account + ": " + e.getMessage(), e);
        }
    }

    /** What a sealed secret is bound to: this table, the account and the kind. */
    static String context(String account, Kind kind) {
        return "mailsync account secret\0" + account + "\0" + kind.column();
    }

    @Override
    public String toString() {
        return "AccountSecrets";
    }
}
