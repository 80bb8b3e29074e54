package org.mailsync;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A folder as a store lists it.
 *
 * @param path the folder's path
 * @param selectable whether the folder can hold messages (IMAP {@code \Noselect} and
 *     {@code \NonExistent} parents cannot)
 * @param specialUse the folder's special use, where the store declares one
 * @param subscribed whether the account subscribes to the folder (stores without subscriptions
 *     report true)
 *     <p>Immutable.
 */
public record FolderInfo(FolderPath path, boolean selectable, @Nullable SpecialUse specialUse, boolean subscribed) {
    /** A plain selectable, subscribed folder without a special use. */
    public static FolderInfo of(FolderPath path) {
        return new FolderInfo(path, true, null, true);
    }

    /** The special use, where the store declares one. */
    public Optional<SpecialUse> optionalSpecialUse() {
        return Optional.ofNullable(specialUse);
    }
}
