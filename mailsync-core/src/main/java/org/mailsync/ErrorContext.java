package org.mailsync;

import java.io.InvalidObjectException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where an error happened: the account (as the store names itself, never with a password), and
 * where known the folder and the message.
 *
 * <p>Immutable. Serializable (so that {@link MailStoreException} is): it travels as its plain
 * parts and is rebuilt through its factories, so {@link FolderPath} need not be serializable and the
 * values are checked again on the way in.
 */
public record ErrorContext(String account, @Nullable FolderPath folder, @Nullable MessageUid uid)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public static ErrorContext of(String account) {
        return new ErrorContext(account, null, null);
    }

    public static ErrorContext of(String account, FolderPath folder) {
        return new ErrorContext(account, folder, null);
    }

    public static ErrorContext of(String account, FolderPath folder, MessageUid uid) {
        return new ErrorContext(account, folder, uid);
    }

    public Optional<FolderPath> optionalFolder() {
        return Optional.ofNullable(folder);
    }

    public Optional<MessageUid> optionalUid() {
        return Optional.ofNullable(uid);
    }

    /** "account A, folder F, message M", leaving out what is not known. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("account ").append(account);
        if (folder != null) {
            out.append(", folder ").append(folder);
        }
        if (uid != null) {
            out.append(", message ").append(uid);
        }
        return out.toString();
    }

    private Object writeReplace() {
        return new SerializedForm(
                account, folder == null ? null : new ArrayList<>(folder.segments()), uid == null ? 0 : uid.value());
    }

    /** What an {@link ErrorContext} is written as: strings and a number (0: no message). */
    private static final class SerializedForm implements Serializable {
        private static final long serialVersionUID = 1L;

        private final String account;
        private final @Nullable ArrayList<String> folder;
        private final long uid;

        SerializedForm(String account, @Nullable ArrayList<String> folder, long uid) {
            this.account = account;
            this.folder = folder;
            this.uid = uid;
        }

        private Object readResolve() throws InvalidObjectException {
            try {
                List<String> segments = folder;
                return new ErrorContext(
                        account,
                        segments == null ? null : FolderPath.of(segments),
                        uid == 0 ? null : MessageUid.of(uid));
            } catch (RuntimeException e) {
                throw new InvalidObjectException("damaged ErrorContext: " + e.getMessage());
            }
        }
    }
}
