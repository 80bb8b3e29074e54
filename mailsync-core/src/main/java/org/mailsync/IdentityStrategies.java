package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import com.google.common.hash.HashingInputStream;
import com.google.common.io.ByteStreams;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.mailsync.spi.support.Headers;

/**
 * The built-in {@link IdentityStrategy identity strategies}.
 *
 * <p>Thread-safe (stateless).
 */
public final class IdentityStrategies {
    /** The headers of the default fingerprint. */
    public static final ImmutableList<String> DEFAULT_HEADERS =
            ImmutableList.of("Message-ID", "Date", "From", "Subject");

    private IdentityStrategies() {}

    /**
     * The default: a SHA-256 over Message-ID, Date, From and Subject (as written, unfolded) and the
     * size. A message lacking some or all of these headers still gets a key (its size and the
     * headers it has), so it is still copied and matched; its bytes are never changed.
     */
    public static IdentityStrategy headerFingerprint() {
        return headerFingerprint(DEFAULT_HEADERS, true);
    }

    /** A fingerprint over the given headers (names in any case), with or without the size. */
    public static IdentityStrategy headerFingerprint(List<String> headers, boolean includeSize) {
        checkArgument(!headers.isEmpty() || includeSize, "a fingerprint needs at least one header or the size");
        ImmutableList<String> names =
                headers.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(ImmutableList.toImmutableList());
        return new IdentityStrategy() {
            @Override
            public boolean needsFullContent() {
                return false;
            }

            @Override
            public String key(MessageInfo info, InputStream data) throws IOException {
                ImmutableListMultimap<String, String> fields = Headers.parse(Headers.readHeaderBlock(data));
                Hasher hasher = Hashing.sha256().newHasher();
                for (String name : names) {
                    for (String value : fields.get(name)) {
                        hasher.putString(name, StandardCharsets.ISO_8859_1).putByte((byte) 0);
                        hasher.putString(value, StandardCharsets.ISO_8859_1).putByte((byte) 0);
                    }
                    hasher.putByte((byte) 1);
                }
                if (includeSize) {
                    hasher.putLong(info.size());
                }
                return "h" + hasher.hash().toString().substring(0, 32);
            }

            @Override
            public String toString() {
                return "headerFingerprint" + headers + (includeSize ? "+size" : "");
            }
        };
    }

    /** A SHA-256 of the whole raw message: exact, but every message must be read in full. */
    public static IdentityStrategy contentHash() {
        return new IdentityStrategy() {
            @Override
            public boolean needsFullContent() {
                return true;
            }

            @Override
            public String key(MessageInfo info, InputStream data) throws IOException {
                HashingInputStream in = new HashingInputStream(Hashing.sha256(), data);
                ByteStreams.exhaust(in);
                return "c" + in.hash().toString();
            }

            @Override
            public String toString() {
                return "contentHash";
            }
        };
    }
}
