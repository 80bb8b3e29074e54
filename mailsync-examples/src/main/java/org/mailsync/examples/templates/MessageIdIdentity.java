package org.mailsync.examples.templates;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.mailsync.IdentityStrategy;
import org.mailsync.MessageInfo;

/**
 * Template: a custom {@link IdentityStrategy}. This one takes two messages for the same when their
 * Message-IDs are equal, whatever else differs: right for a target whose earlier import added
 * headers ({@code X-Imported-From}, a spam score), which changes the size and so the default
 * fingerprint. A message without a Message-ID falls back to a hash of its whole header block, so
 * it is still copied once and recognised on the next pass.
 *
 * <p>Use it with {@code SyncEngine.builder().identity(new MessageIdIdentity())}. Thread-safe
 * (stateless).
 */
public final class MessageIdIdentity implements IdentityStrategy {
    @Override
    public boolean needsFullContent() {
        return false; // the engine hands us the header block only
    }

    @Override
    public String key(MessageInfo info, InputStream headerBlock) throws IOException {
        String headers = new String(headerBlock.readAllBytes(), StandardCharsets.ISO_8859_1);
        // Unfold (RFC 5322 2.2.3) so that a Message-ID on a continuation line is found too.
        String unfolded = headers.replaceAll("\r?\n[ \t]", " ");
        for (String line : unfolded.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Message-ID")) {
                String id = line.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                if (!id.isEmpty()) {
                    return "m"
                            + Hashing.sha256()
                                    .hashString(id, StandardCharsets.UTF_8)
                                    .toString()
                                    .substring(0, 32);
                }
            }
        }
        return "x"
                + Hashing.sha256()
                        .hashString(headers, StandardCharsets.ISO_8859_1)
                        .toString()
                        .substring(0, 32);
    }

    @Override
    public String toString() {
        return "MessageIdIdentity";
    }
}
