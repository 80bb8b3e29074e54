package org.mailsync.cluster;

import static com.google.common.base.Preconditions.checkArgument;

import java.net.URI;
import java.util.Locale;

/**
 * A mailbox an account row names: a server URI without user or password ({@code
 * imaps://host:port}) and the login. Immutable.
 */
public record Mailbox(String uri, String user) {
    public Mailbox {
        checkArgument(!user.isBlank(), "user must not be blank");
        checkArgument(!uri.contains("@"), "a server URI holds no user or password");
        checkArgument(uri.contains("://"), "a server URI looks like imaps://host:port");
    }

    /** The server's {@code host:port}, the key of its connection cap. */
    public String server() {
        URI u = URI.create(uri);
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("imaps") ? 993 : 143;
        return u.getHost() + ":" + port;
    }

    @Override
    public String toString() {
        return user + " at " + uri;
    }
}
