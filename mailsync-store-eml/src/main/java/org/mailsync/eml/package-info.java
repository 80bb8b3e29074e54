/**
 * The store for a tree of folders holding one message per {@code .eml} file: {@link
 * org.mailsync.eml.EmlStore}. Its sidecar format and file naming are package-private; EML.md
 * beside the module describes them.
 */
@NullMarked
package org.mailsync.eml;

import org.jspecify.annotations.NullMarked;
