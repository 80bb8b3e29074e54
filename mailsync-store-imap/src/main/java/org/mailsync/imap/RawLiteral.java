package org.mailsync.imap;

import java.io.IOException;
import java.io.OutputStream;
import org.eclipse.angus.mail.iap.Literal;
import org.mailsync.RawMessage;

/**
 * An IMAP literal that streams a raw message once, byte for byte, straight onto the connection:
 * never a {@code MimeMessage}, which would re-encode it and (in Angus Mail's append) be written
 * twice.
 *
 * <p>Immutable; thread-safe as far as {@link RawMessage} is.
 */
final class RawLiteral implements Literal {
    private final RawMessage message;

    RawLiteral(RawMessage message) {
        if (message.size() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a literal holds at most 2 GiB, not " + message.size() + " bytes");
        }
        this.message = message;
    }

    @Override
    public int size() {
        return (int) message.size();
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        message.writeTo(out);
    }
}
