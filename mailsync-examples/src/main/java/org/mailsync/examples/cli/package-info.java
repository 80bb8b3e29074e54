/** The {@code mailsync} command-line tool: migrate, batch, verify, demo. */
@NullMarked
package org.mailsync.examples.cli;

import org.jspecify.annotations.NullMarked;
