/** Helpers that stores share: parsing what real mail files hold, as lenient mail readers do. */
@NullMarked
package org.mailsync.spi.support;

import org.jspecify.annotations.NullMarked;
