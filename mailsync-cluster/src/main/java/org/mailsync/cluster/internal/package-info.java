/** The cluster's SQL and the body of one mailbox pass; not exported. */
@NullMarked
package org.mailsync.cluster.internal;

import org.jspecify.annotations.NullMarked;
