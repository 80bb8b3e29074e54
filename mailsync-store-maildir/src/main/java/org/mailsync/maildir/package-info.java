/**
 * The Maildir store: {@link org.mailsync.maildir.MaildirStore}, for Maildir++ and file-system
 * layouts, compatible with Dovecot's {@code dovecot-uidlist}, {@code dovecot-keywords} and {@code
 * subscriptions} files.
 */
@NullMarked
package org.mailsync.maildir;

import org.jspecify.annotations.NullMarked;
