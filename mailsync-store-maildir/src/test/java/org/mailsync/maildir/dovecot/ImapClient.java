package org.mailsync.maildir.dovecot;

import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.UIDFolder;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.angus.mail.iap.Literal;
import org.eclipse.angus.mail.imap.AppendUID;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.mailsync.testing.DovecotServer;

/**
 * A small IMAP client on Angus Mail for the interop tests: what Dovecot shows of a folder (ids,
 * flags, dates, sizes and raw bytes, read with {@code BODY.PEEK[]} so nothing gets {@code \Seen}),
 * and appends of exact bytes with {@code APPENDUID}. Not thread-safe.
 */
final class ImapClient implements AutoCloseable {
    /** One message as Dovecot serves it. */
    record Shown(long uid, Set<String> flags, Instant internalDate, long size, byte[] bytes) {}

    /** One folder as Dovecot serves it. */
    record FolderView(long uidValidity, long uidNext, Map<Long, Shown> messages) {}

    private final IMAPStore store;

    ImapClient(DovecotServer dovecot, String user, String password) throws MessagingException {
        Properties props = new Properties();
        props.setProperty("mail.imap.peek", "true");
        props.setProperty("mail.imap.connectiontimeout", "10000");
        props.setProperty("mail.imap.timeout", "30000");
        store = (IMAPStore) Session.getInstance(props).getStore("imap");
        store.connect(dovecot.host(), dovecot.port(), user, password);
    }

    /** Every folder name, with '/' between segments. */
    Set<String> folders() throws MessagingException {
        Set<String> names = new TreeSet<>();
        for (Folder f : store.getDefaultFolder().list("*")) {
            names.add(f.getFullName());
        }
        return names;
    }

    Set<String> subscribed() throws MessagingException {
        Set<String> names = new TreeSet<>();
        for (Folder f : store.getDefaultFolder().listSubscribed("*")) {
            names.add(f.getFullName());
        }
        return names;
    }

    void create(String name) throws MessagingException {
        store.getFolder(name).create(Folder.HOLDS_MESSAGES | Folder.HOLDS_FOLDERS);
    }

    void subscribe(String name) throws MessagingException {
        store.getFolder(name).setSubscribed(true);
    }

    FolderView view(String name) throws MessagingException {
        IMAPFolder folder = (IMAPFolder) store.getFolder(name);
        folder.open(Folder.READ_ONLY);
        try {
            Message[] all = folder.getMessages();
            FetchProfile profile = new FetchProfile();
            profile.add(UIDFolder.FetchProfileItem.UID);
            profile.add(FetchProfile.Item.FLAGS);
            profile.add(FetchProfile.Item.SIZE);
            profile.add(IMAPFolder.FetchProfileItem.INTERNALDATE);
            folder.fetch(all, profile);
            Map<Long, Shown> messages = new LinkedHashMap<>();
            for (Message m : all) {
                int number = m.getMessageNumber();
                BODY body = (BODY) folder.doCommand(p -> p.peekBody(number, ""));
                byte[] bytes = body.getByteArray().getNewBytes();
                long uid = folder.getUID(m);
                messages.put(
                        uid,
                        new Shown(
                                uid,
                                flagNames(m.getFlags()),
                                ((IMAPMessage) m).getReceivedDate().toInstant(),
                                m.getSize(),
                                bytes));
            }
            return new FolderView(folder.getUIDValidity(), folder.getUIDNext(), messages);
        } finally {
            folder.close(false);
        }
    }

    /** Appends exact bytes; returns Dovecot's APPENDUID. */
    AppendUID append(String name, byte[] bytes, Flags flags, Instant date) throws MessagingException {
        IMAPFolder folder = (IMAPFolder) store.getFolder(name);
        Literal literal = new Literal() {
            @Override
            public int size() {
                return bytes.length;
            }

            @Override
            public void writeTo(OutputStream out) throws java.io.IOException {
                out.write(bytes);
            }
        };
        return (AppendUID) folder.doCommand(p -> p.appenduid(folder.getFullName(), flags, Date.from(date), literal));
    }

    /** Sets or clears flags on one message by uid. */
    void store(String name, long uid, Flags flags, boolean set) throws MessagingException {
        IMAPFolder folder = (IMAPFolder) store.getFolder(name);
        folder.open(Folder.READ_WRITE);
        try {
            folder.getMessageByUID(uid).setFlags(flags, set);
        } finally {
            folder.close(false);
        }
    }

    /** Removes one message by uid (UID EXPUNGE of it alone). */
    void expunge(String name, long uid) throws MessagingException {
        IMAPFolder folder = (IMAPFolder) store.getFolder(name);
        folder.open(Folder.READ_WRITE);
        try {
            Message m = folder.getMessageByUID(uid);
            m.setFlag(Flags.Flag.DELETED, true);
            folder.expunge(new Message[] {m});
        } finally {
            folder.close(false);
        }
    }

    static Set<String> flagNames(Flags flags) {
        Set<String> names = new TreeSet<>(Arrays.asList(flags.getUserFlags()));
        for (Flags.Flag f : flags.getSystemFlags()) {
            if (f == Flags.Flag.SEEN) {
                names.add("\\Seen");
            } else if (f == Flags.Flag.ANSWERED) {
                names.add("\\Answered");
            } else if (f == Flags.Flag.FLAGGED) {
                names.add("\\Flagged");
            } else if (f == Flags.Flag.DELETED) {
                names.add("\\Deleted");
            } else if (f == Flags.Flag.DRAFT) {
                names.add("\\Draft");
            }
        }
        return names;
    }

    static Flags flags(String... names) {
        Flags flags = new Flags();
        for (String name : names) {
            switch (name) {
                case "\\Seen" -> flags.add(Flags.Flag.SEEN);
                case "\\Answered" -> flags.add(Flags.Flag.ANSWERED);
                case "\\Flagged" -> flags.add(Flags.Flag.FLAGGED);
                case "\\Deleted" -> flags.add(Flags.Flag.DELETED);
                case "\\Draft" -> flags.add(Flags.Flag.DRAFT);
                default -> flags.add(name);
            }
        }
        return flags;
    }

    static List<String> names(org.mailsync.Flags flags) {
        List<String> out = new ArrayList<>();
        flags.system().forEach(f -> out.add(f.imapName()));
        out.addAll(flags.keywords());
        return out;
    }

    @Override
    public void close() throws MessagingException {
        store.close();
    }
}
