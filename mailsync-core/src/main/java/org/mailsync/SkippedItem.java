package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Something in a store that a pass did not read and could not copy: a file under a local root that
 * is not mail, a symbolic link (never followed), a folder whose name the store cannot represent. A
 * store names each one with the reason, and the report counts it: a pass with any skipped item
 * never ends {@link SyncReport.Verdict#COMPLETE}, so exit 0 means nothing was left behind.
 *
 * @param location where it is, as the user would look for it: a path under the store's root, or a
 *     folder name as the server spelled it (control characters escaped)
 * @param reason why it was not read, one short sentence an operator can act on
 *     <p>Immutable.
 */
public record SkippedItem(String location, String reason) {
    public SkippedItem {
        checkArgument(!location.isEmpty(), "a skipped item needs a location");
        checkArgument(!reason.isEmpty(), "a skipped item needs a reason");
    }

    @Override
    public String toString() {
        return location + ": " + reason;
    }
}
