/**
 * The mbox store: {@link org.mailsync.mbox.MboxStore} reads mboxo, mboxrd, mboxcl and mboxcl2
 * files (c-client/Dovecot and Thunderbird status headers included) and writes mboxrd by default,
 * streaming, under a dot-lock and a file lock.
 */
@NullMarked
package org.mailsync.mbox;

import org.jspecify.annotations.NullMarked;
