package org.mailsync.imap;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An IMAP server, and optionally the user to log in as, as a URI names them: {@code
 * imap://user@host:143}, {@code imap+starttls://user@host}, {@code imaps://user@host:993}, or
 * without {@code user@} for a server alone. The one parser of such URIs, for {@link
 * ImapStore.Builder#endpoint(String)} and for programs that take a URI from their users.
 *
 * <p>A login that is an e-mail address may be written as it is ({@code
 * imaps://anna@example.com@mail.example.com}: the last {@code @} ends the user) or with {@code %40};
 * other {@code %XX} escapes (UTF-8) are decoded too. The host is a DNS name, a dotted IPv4 address
 * or a bracketed IPv6 address, and is kept lower-cased (and without brackets); the port is that of
 * the security unless the URI gives one. Nothing may follow the port but one {@code /}.
 *
 * <p>A password never belongs in the URI (it would show in logs, in {@code ps} and in shell
 * history): one is refused. No error repeats the text, since what does not parse may hold a
 * password (typed into the URI, or typed where the URI belongs); {@link InvalidEndpointException#problem()}
 * tells a program which rule was broken, to phrase its own message.
 *
 * <p>Immutable; thread-safe.
 *
 * @param security how the connection is protected, from the scheme
 * @param host the host name or address, lower case, an IPv6 address without brackets
 * @param port the port, 1..65535: the URI's, or the security's default
 * @param user the login, decoded; null if the URI names none
 */
public record ImapEndpoint(Security security, String host, int port, @Nullable String user) {
    /** The rule a text broke, for a program that words its own messages. */
    public enum Problem {
        /** The scheme is not {@code imap}, {@code imap+starttls} or {@code imaps}. */
        NOT_IMAP,
        /** The user part holds a {@code :} (a password). */
        PASSWORD_IN_URI,
        /** There is an {@code @} with no user before it. */
        EMPTY_USER,
        /** A {@code %} in the user is not followed by two hex digits. */
        BAD_USER_ESCAPE,
        /** The host is not a DNS name, an IPv4 address or a bracketed IPv6 address. */
        BAD_HOST,
        /** Something (a path, a query) follows the host and port. */
        NOT_JUST_A_SERVER,
        /** The port is not a number 1..65535. */
        BAD_PORT
    }

    /** A text that is not an IMAP URI; the message never repeats the text. */
    public static final class InvalidEndpointException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        private final Problem problem;

        InvalidEndpointException(Problem problem, String message) {
            super(message);
            this.problem = problem;
        }

        /** Which rule the text broke. */
        public Problem problem() {
            return problem;
        }
    }

    /** Checks the parts; {@link #parse} is the usual way to make one. */
    public ImapEndpoint {
        checkArgument(!host.isBlank(), "host must not be blank");
        checkArgument(port > 0 && port < 65536, "port must be 1..65535, not %s", port);
        checkArgument(user == null || !user.isBlank(), "user must not be blank");
    }

    /**
     * Parses an IMAP URI.
     *
     * @throws InvalidEndpointException if the text is not an IMAP URI as described above
     */
    public static ImapEndpoint parse(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        int schemeEnd = lower.indexOf("://");
        Security security = schemeEnd < 0 ? null : security(lower.substring(0, schemeEnd));
        if (security == null) {
            String scheme = schemeEnd < 0 ? "" : lower.substring(0, schemeEnd);
            // A scheme-like word is safe to name (pop3); anything else may be a password.
            throw invalid(
                    Problem.NOT_IMAP,
                    (scheme.matches("[a-z][a-z0-9+.-]{0,15}") ? "unknown scheme " + scheme : "not an IMAP URI")
                            + " (use imap://user@host, imaps://user@host or imap+starttls://user@host)");
        }
        String rest = uri.substring(schemeEnd + 3);
        String user = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            if (userInfo.indexOf(':') >= 0) {
                throw invalid(
                        Problem.PASSWORD_IN_URI,
                        "a password does not belong in the URI (it would show in logs, ps and the shell"
                                + " history): give it separately");
            }
            user = percentDecode(userInfo);
            if (user.isBlank()) {
                throw invalid(Problem.EMPTY_USER, "IMAP URI without a user (write imaps://user@host)");
            }
            rest = rest.substring(at + 1);
        }
        String s = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            host = close < 0 ? "" : s.substring(1, close);
            if (!host.matches("[0-9A-Fa-f:.]+") || !host.contains(":")) {
                throw invalid(Problem.BAD_HOST, "the host is not a host name or address");
            }
            String after = s.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw invalid(Problem.NOT_JUST_A_SERVER, "an IMAP server is host[:port], with nothing after it");
                }
                port = after.substring(1);
            }
        } else {
            int colon = s.indexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
            if (!isHostName(host)) {
                throw host.contains("/") || host.contains("?") || host.contains("#")
                        ? invalid(
                                Problem.NOT_JUST_A_SERVER,
                                "an IMAP server is host[:port], with nothing after it (no folder)")
                        : invalid(Problem.BAD_HOST, "the host is not a host name or address");
            }
        }
        int number = security.defaultPort();
        if (port != null) {
            if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw invalid(Problem.BAD_PORT, "the port is not a number 1..65535");
            }
            number = Integer.parseInt(port);
        }
        return new ImapEndpoint(security, host.toLowerCase(Locale.ROOT), number, user);
    }

    /** This endpoint with another user (a server's accounts one by one). */
    public ImapEndpoint withUser(String login) {
        return new ImapEndpoint(security, host, port, login);
    }

    /**
     * The URI, with the port spelled out, the user's {@code %}, {@code @} and {@code :} escaped and an IPv6
     * host in brackets: {@code imaps://anna%40example.com@mail.example.com:993}. {@link #parse}
     * reads it back as this endpoint.
     */
    public String uri() {
        String login =
                user == null ? "" : user.replace("%", "%25").replace("@", "%40").replace(":", "%3A") + "@";
        return security.scheme() + "://" + login + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The same as {@link #uri()}: it holds no password. */
    @Override
    public String toString() {
        return uri();
    }

    private static @Nullable Security security(String scheme) {
        return switch (scheme) {
            case "imap" -> Security.NONE;
            case "imap+starttls" -> Security.STARTTLS;
            case "imaps" -> Security.TLS;
            default -> null;
        };
    }

    /** A DNS host name (letters, digits, hyphens; labels of 1..63) or a dotted IPv4 address. */
    private static boolean isHostName(String host) {
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty()
                    || label.length() > 63
                    || label.startsWith("-")
                    || label.endsWith("-")
                    || !label.matches("[A-Za-z0-9-]+")) {
                return false;
            }
        }
        return true;
    }

    /** Decodes %XX escapes (UTF-8); a bad escape is refused without echoing the text. */
    private static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%') {
                if (i + 2 >= bytes.length
                        || Character.digit(bytes[i + 1], 16) < 0
                        || Character.digit(bytes[i + 2], 16) < 0) {
                    throw invalid(
                            Problem.BAD_USER_ESCAPE,
                            "the user name in the IMAP URI has a bad %-escape (write %40 for @)");
                }
                out.write(Character.digit(bytes[i + 1], 16) * 16 + Character.digit(bytes[i + 2], 16));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static InvalidEndpointException invalid(Problem problem, String message) {
        return new InvalidEndpointException(problem, message);
    }
}
