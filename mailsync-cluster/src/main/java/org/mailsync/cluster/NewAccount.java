package org.mailsync.cluster;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * An account to enqueue: its mailboxes and their passwords (sealed by {@link ClusterQueue} before
 * they reach the database; the arrays stay the caller's, to clear). {@link #toString()} names the
 * mailboxes only.
 *
 * @param account the account id, unique in the cluster (the batch CLI uses {@code source user ->
 *     target user})
 */
public record NewAccount(
        String account,
        Mailbox source,
        char[] sourcePassword,
        Mailbox target,
        char[] targetPassword,
        PassOptions options) {
    public NewAccount {
        checkArgument(!account.isBlank(), "account must not be blank");
    }

    @Override
    public String toString() {
        return "NewAccount[" + account + ": " + source + " -> " + target + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NewAccount n && n.account.equals(account);
    }

    @Override
    public int hashCode() {
        return account.hashCode();
    }
}
