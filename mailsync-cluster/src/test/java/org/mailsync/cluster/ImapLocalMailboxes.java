package org.mailsync.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mailsync.ErrorContext;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.StoreFailureException;
import org.mailsync.imap.ImapStore;
import org.mailsync.imap.Security;
import org.mailsync.migration.spi.AccountProvisioner;
import org.mailsync.migration.spi.LocalMailboxes;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.ForwardingMailFolder;
import org.mailsync.spi.ForwardingMailStore;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;

/**
 * The new server's mailboxes as every node of a cluster sees them, across JVMs: account {@code
 * user@domain} is the IMAP user {@code t-user} of one target server (created beforehand by the
 * test), and it "exists" once a marker file in a shared directory says it was provisioned. A
 * second request to provision is accepted, as a cluster's provisioner must. With a delay, messages
 * arrive one by one, so that a test can kill a node in the middle of a copy.
 */
final class ImapLocalMailboxes implements LocalMailboxes, AccountProvisioner {
    private final int targetPort;
    private final Path markers;
    private final long appendDelayMillis;

    ImapLocalMailboxes(int targetPort, Path markers, long appendDelayMillis) {
        this.targetPort = targetPort;
        this.markers = markers;
        this.appendDelayMillis = appendDelayMillis;
    }

    static String targetUser(String account) {
        return "t-" + account.substring(0, account.indexOf('@'));
    }

    private Path marker(String account) {
        return markers.resolve(account);
    }

    @Override
    public boolean exists(String account) {
        return Files.exists(marker(account), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public MailStore open(String account) throws IOException {
        if (!exists(account)) {
            throw new IOException("no account " + account);
        }
        MailStore store = ImapStore.builder()
                .host("127.0.0.1")
                .port(targetPort)
                .security(Security.NONE)
                .username(targetUser(account))
                .password(ClusterFixture.TARGET_PASSWORD.toCharArray())
                .connect();
        if (appendDelayMillis == 0) {
            return store;
        }
        return new ForwardingMailStore(store) {
            @Override
            public MailFolder openFolder(FolderPath path) throws MailStoreException {
                return new ForwardingMailFolder(delegate().openFolder(path)) {
                    @Override
                    public List<Optional<MessageUid>> appendAll(List<AppendRequest> requests)
                            throws MailStoreException {
                        List<Optional<MessageUid>> ids = new ArrayList<>();
                        for (AppendRequest r : requests) {
                            ids.add(append(r));
                        }
                        return ids;
                    }

                    @Override
                    public Optional<MessageUid> append(AppendRequest request) throws MailStoreException {
                        try {
                            Thread.sleep(appendDelayMillis);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new StoreFailureException(ErrorContext.of(account), "interrupted", e);
                        }
                        return delegate().append(request);
                    }
                };
            }
        };
    }

    @Override
    public Optional<String> provision(String account, Optional<char[]> password) throws IOException {
        if (!exists(account)) {
            Files.writeString(marker(account), "provisioned\n");
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> setPassword(String account, char[] password) {
        return Optional.empty();
    }
}
