/**
 * The IMAP store: {@link org.mailsync.imap.ImapStore} on Eclipse Angus Mail. Angus Mail and
 * {@code jakarta.mail} types never appear in a public signature.
 */
@NullMarked
package org.mailsync.imap;

import org.jspecify.annotations.NullMarked;
