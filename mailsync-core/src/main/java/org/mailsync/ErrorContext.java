package org.mailsync;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where an error happened: the account (as the store names itself, never with a password), and
 * where known the folder and the message.
 *
 * <p>Immutable.
 */
public record ErrorContext(String account, @Nullable FolderPath folder, @Nullable MessageUid uid) {
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
}
