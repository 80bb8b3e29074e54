/**
 * Helpers that store implementations share, tested once here instead of copied into each store:
 * dot-locks ({@link org.mailsync.spi.support.DotLock}), files that survive a crash whole
 * ({@link org.mailsync.spi.support.DurableFiles}), the header block of a raw message
 * ({@link org.mailsync.spi.support.Headers}), the Maildir flag letters
 * ({@link org.mailsync.spi.support.MaildirFlags}) and lenient date parsing of real mail
 * ({@link org.mailsync.spi.support.MailDates}). The engine and the file checkpoint store use some
 * of them too.
 */
@NullMarked
package org.mailsync.spi.support;

import org.jspecify.annotations.NullMarked;
