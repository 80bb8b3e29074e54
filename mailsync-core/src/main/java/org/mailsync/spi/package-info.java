/** The store SPI: what a kind of mail store (IMAP, Maildir, mbox, in memory) implements. */
@NullMarked
package org.mailsync.spi;

import org.jspecify.annotations.NullMarked;
