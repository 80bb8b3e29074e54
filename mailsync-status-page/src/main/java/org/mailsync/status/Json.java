package org.mailsync.status;

/**
 * A small JSON writer for the status endpoint: strings are escaped so that the text stays inert
 * however it is read (HTML-significant characters, line separators and lone surrogates included).
 *
 * <p>Not thread-safe; one per response.
 */
final class Json {
    private final StringBuilder out = new StringBuilder(1024);
    /** Whether the next value in the current object or array needs a comma before it. */
    private boolean comma;

    Json beginObject() {
        separate();
        out.append('{');
        comma = false;
        return this;
    }

    Json endObject() {
        out.append('}');
        comma = true;
        return this;
    }

    Json beginArray(String name) {
        name(name);
        out.append('[');
        comma = false;
        return this;
    }

    Json endArray() {
        out.append(']');
        comma = true;
        return this;
    }

    Json field(String name, String value) {
        name(name);
        string(value);
        comma = true;
        return this;
    }

    Json field(String name, long value) {
        name(name);
        out.append(value);
        comma = true;
        return this;
    }

    Json field(String name, double value) {
        name(name);
        // Non-finite numbers are not JSON; the records refuse them, this is a last guard.
        out.append(Double.isFinite(value) ? Double.toString(value) : "0");
        comma = true;
        return this;
    }

    Json field(String name, boolean value) {
        name(name);
        out.append(value);
        comma = true;
        return this;
    }

    private void name(String name) {
        separate();
        string(name);
        out.append(':');
        comma = false;
    }

    private void separate() {
        if (comma) {
            out.append(',');
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isHighSurrogate(c)
                            && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        // A lone surrogate cannot be encoded as UTF-8: the replacement character.
                        out.append("\\ufffd");
                    } else if (c < 0x20
                            || c == '<'
                            || c == '>'
                            || c == '&'
                            || c == '\''
                            || c == '\u2028'
                            || c == '\u2029'
                            || c == 0x7f) {
                        // Escaped so the JSON is inert even if a browser were made to read it as
                        // HTML or script (the page itself only ever uses it as data).
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
