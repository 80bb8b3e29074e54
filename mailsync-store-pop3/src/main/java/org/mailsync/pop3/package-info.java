/**
 * The POP3 source store: {@link org.mailsync.pop3.Pop3Store} on Eclipse Angus Mail's POP3 provider.
 * Angus Mail and {@code jakarta.mail} types never appear in a public signature.
 */
@NullMarked
package org.mailsync.pop3;

import org.jspecify.annotations.NullMarked;
