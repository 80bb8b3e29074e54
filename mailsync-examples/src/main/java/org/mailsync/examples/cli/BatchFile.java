package org.mailsync.examples.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jspecify.annotations.Nullable;

/**
 * The accounts file of {@code mailsync batch}: one account a line, {@code source user, source
 * password, target user, target password[, source host[, target host]]}, as spreadsheets save it
 * (the charset detected, comma or semicolon separated, RFC 4180 quoting read by Apache Commons
 * CSV). The whole file is checked before any account runs; errors name the line and column,
 * never a field's value, since a field may hold (part of) a password.
 *
 * <p>Thread-safe (stateless).
 */
final class BatchFile {
    private BatchFile() {}

    /**
     * One CSV line, with the values of the extra columns a header line names ({@code fields}: the
     * column's environment name, see {@link #fieldName}, to the line's value; empty for a missing
     * value). Immutable; never printed with its passwords or fields.
     */
    record Account(
            int line,
            StoreSpec source,
            char[] sourcePassword,
            StoreSpec target,
            char[] targetPassword,
            Map<String, String> fields) {
        Account(int line, StoreSpec source, char[] sourcePassword, StoreSpec target, char[] targetPassword) {
            this(line, source, sourcePassword, target, targetPassword, Map.of());
        }

        String name() {
            return source.user() + " -> " + target.user();
        }

        @Override
        public String toString() {
            return "line " + line + ": " + name();
        }
    }

    /**
     * The file's text: in {@code charset} if given; else UTF-16 if it starts with a UTF-16 byte
     * order mark, UTF-8 (a BOM is dropped) if it decodes, else Windows-1252.
     */
    static String read(Path file, @Nullable Charset charset) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            // Not its name: what does not exist may be something typed in the wrong place.
            throw new UsageException("the CSV file given to batch does not exist");
        } catch (IOException e) {
            throw new UsageException("the CSV file given to batch cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
        int offset =
                bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF
                        ? 3
                        : 0;
        if (charset != null) {
            int skip = charset.equals(StandardCharsets.UTF_8) ? offset : 0;
            return new String(bytes, skip, bytes.length - skip, charset);
        }
        // Excel's "Unicode text" and many Windows tools write UTF-16 with a byte order mark.
        if (bytes.length >= 2) {
            int b0 = bytes[0] & 0xff;
            int b1 = bytes[1] & 0xff;
            if ((b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)) {
                Charset utf16 = b0 == 0xFF ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE;
                try {
                    return decode(utf16, bytes, 2);
                } catch (CharacterCodingException e) {
                    throw new UsageException(file + " starts with a UTF-16 byte order mark but is not UTF-16 text");
                }
            }
        }
        for (byte b : bytes) {
            if (b == 0) {
                // No single-byte CSV holds NUL; this is UTF-16 (or UTF-32) without a BOM.
                throw new UsageException(file + " holds NUL bytes: it looks like UTF-16 without a byte order"
                        + " mark; save it as UTF-8, or give --charset UTF-16LE (or UTF-16BE)");
            }
        }
        try {
            return decode(StandardCharsets.UTF_8, bytes, offset);
        } catch (CharacterCodingException e) {
            // Not UTF-8: a spreadsheet saved as "CSV" on Windows writes its ANSI code page.
            return new String(bytes, Charset.forName("windows-1252"));
        }
    }

    private static String decode(Charset charset, byte[] bytes, int offset) throws CharacterCodingException {
        return charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, offset, bytes.length - offset))
                .toString();
    }

    /**
     * The accounts of a CSV text; a line's empty host column takes {@code sourceServer} or
     * {@code targetServer}. Refuses the whole file for one bad line.
     */
    static List<Account> parse(String text, @Nullable StoreSpec sourceServer, @Nullable StoreSpec targetServer) {
        CSVFormat format = CSVFormat.RFC4180
                .builder()
                .setDelimiter(separator(text))
                .setCommentMarker('#')
                .setIgnoreEmptyLines(true)
                .get();
        List<Account> accounts = new ArrayList<>();
        boolean first = true;
        int columns = 6;
        // The columns after the host columns, named by a header line: their environment names.
        List<String> extras = List.of();
        int hostColumns = 2;
        try (CSVParser parser = CSVParser.parse(text, format)) {
            for (CSVRecord record : parser) {
                List<String> fields = record.toList();
                if (fields.stream().allMatch(String::isBlank)) {
                    continue; // a line of blanks
                }
                int line = startLine(parser.getCurrentLineNumber(), fields);
                if (first && isHeader(fields)) {
                    first = false;
                    // A line with more fields than the header names has a separator where none
                    // belongs, most likely inside an unquoted password: refused, never guessed at.
                    int hosts = hostColumns(fields);
                    extras = extraColumns(fields, 4 + hosts);
                    columns = extras.isEmpty() ? Math.max(4, Math.min(6, fields.size())) : fields.size();
                    hostColumns = hosts;
                    continue;
                }
                first = false;
                // Errors below name the line and column only: a field may hold (part of) a password.
                if (fields.size() < 4 || fields.size() > columns) {
                    throw new UsageException("line " + line + ": expected 4 to " + columns
                            + " fields (source user, source password, target user, target password[, source host[,"
                            + " target host]]), found " + fields.size()
                            + (fields.size() > columns
                                    ? " (is a password with a separator in it not \"quoted\"?)"
                                    : ""));
                }
                StoreSpec source =
                        server(hostColumns >= 1 ? fields : fields.subList(0, 4), 4, sourceServer, "source", line);
                StoreSpec target =
                        server(hostColumns >= 2 ? fields : fields.subList(0, 4), 5, targetServer, "target", line);
                if (target.kind() == StoreSpec.Kind.POP3) {
                    throw new UsageException("line " + line + ": a POP3 server can only be a source, not the target");
                }
                source = user(source, fields, 0, line);
                target = user(target, fields, 2, line);
                Map<String, String> values = new java.util.LinkedHashMap<>();
                for (int i = 0; i < extras.size(); i++) {
                    int index = 4 + hostColumns + i;
                    values.put(
                            extras.get(i),
                            index < fields.size() ? fields.get(index).trim() : "");
                }
                accounts.add(new Account(
                        line,
                        source,
                        fields.get(1).toCharArray(),
                        target,
                        fields.get(3).toCharArray(),
                        java.util.Collections.unmodifiableMap(values)));
            }
        } catch (UncheckedIOException | IOException e) {
            throw malformed(e);
        }
        refuseDuplicates(accounts);
        return accounts;
    }

    /**
     * The separator of the file: whichever of {@code ;} and {@code ,} its first line (a header,
     * most often) holds more of outside quotes, {@code ,} on a tie. Counted outside quotes only: a
     * semicolon file may well hold a comma in an unquoted password, as Excel writes it.
     */
    static char separator(String text) {
        for (String line : text.split("\r\n|\n|\r", -1)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int commas = 0;
            int semicolons = 0;
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '"') {
                    quoted = !quoted; // a doubled quote toggles twice
                } else if (!quoted && c == ',') {
                    commas++;
                } else if (!quoted && c == ';') {
                    semicolons++;
                }
            }
            return semicolons > commas ? ';' : ',';
        }
        return ',';
    }

    /**
     * The line a record starts on, from the line it ends on: a quoted field may span lines
     * (RFC 4180), each of its line breaks one line.
     */
    private static int startLine(long endLine, List<String> fields) {
        long breaks = 0;
        for (String field : fields) {
            Matcher m = LINE_BREAK.matcher(field);
            while (m.find()) {
                breaks++;
            }
        }
        return (int) (endLine - breaks);
    }

    private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\n|\r");

    private static final Pattern LINE_NUMBER = Pattern.compile("(?:startline |line: ?)([0-9][0-9,]*)");

    /** Commons CSV's complaint as ours: the line, never the text (its messages hold none either). */
    private static UsageException malformed(Exception e) {
        String text = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        Matcher m = LINE_NUMBER.matcher(text);
        String line = m.find() ? "line " + m.group(1).replace(",", "") + ": " : "";
        if (text.contains("EOF reached before encapsulated token finished")) {
            return new UsageException(line + "a quoted field is not closed");
        }
        if (text.contains("between encapsulated token and delimiter")) {
            return new UsageException(line + "a quoted field goes on after its closing quote"
                    + " (write a quote inside a quoted field as \"\")");
        }
        return new UsageException(line + "not a CSV file as expected");
    }

    /**
     * Two lines with the same source account, or the same target account, would have two runs
     * write one mailbox at once (each copying what the other copies): refused up front, naming the
     * lines. User names are compared without case, as most servers log them in.
     */
    private static void refuseDuplicates(List<Account> accounts) {
        Map<String, Integer> sources = new HashMap<>();
        Map<String, Integer> targets = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (Account a : accounts) {
            Integer s = sources.putIfAbsent(a.source().canonical().toLowerCase(Locale.ROOT), a.line());
            if (s != null) {
                problems.add("lines " + s + " and " + a.line() + " name the same source account "
                        + a.source().canonical());
            }
            Integer t = targets.putIfAbsent(a.target().canonical().toLowerCase(Locale.ROOT), a.line());
            if (t != null) {
                problems.add("lines " + t + " and " + a.line() + " name the same target account "
                        + a.target().canonical());
            }
        }
        if (!problems.isEmpty()) {
            throw new UsageException(String.join("\n", problems)
                    + "\n(one line per account: two runs into one mailbox at once would copy its mail twice)");
        }
    }

    /**
     * How many of a header's columns 5 and 6 name hosts ("host", "server", "rechner" in their
     * name): 0, 1 or 2. The columns after them are fields for a provision command.
     */
    private static int hostColumns(List<String> header) {
        int hosts = 0;
        for (int i = 4; i < Math.min(6, header.size()); i++) {
            String name = header.get(i).toLowerCase(Locale.ROOT);
            if (!(name.contains("host") || name.contains("server") || name.contains("rechner"))) {
                break;
            }
            hosts++;
        }
        return hosts;
    }

    /**
     * The environment names of a header's columns from {@code from} on (display name, aliases,
     * quota ...). Refuses the file when two columns come to the same name.
     */
    private static List<String> extraColumns(List<String> header, int from) {
        List<String> names = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = from; i < header.size(); i++) {
            String name = fieldName(header.get(i), i + 1);
            Integer before = seen.putIfAbsent(name, i + 1);
            if (before != null) {
                throw new UsageException("line 1: columns " + before + " and " + (i + 1) + " both name the field "
                        + name + " (rename one in the header)");
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    /**
     * A column's name as it appears in a provision command's environment, after {@code
     * MAILSYNC_FIELD_}: accents dropped, letters upper case, every run of other characters one
     * {@code _} ("Display name" is {@code DISPLAY_NAME}, "E-Mail-Weiterleitung" {@code
     * E_MAIL_WEITERLEITUNG}, "Größe" {@code GROESSE}); {@code COLUMN_n} for a name with no letter
     * or digit.
     */
    static String fieldName(String header, int column) {
        String text = header.strip()
                .replace("ß", "ss")
                .replace("ä", "ae")
                .replace("ö", "oe")
                .replace("ü", "ue")
                .replace("Ä", "Ae")
                .replace("Ö", "Oe")
                .replace("Ü", "Ue");
        text = java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFD)
                .replaceAll("\\p{M}", "")
                .toUpperCase(Locale.ROOT)
                .replaceAll("[^A-Z0-9]+", "_")
                .replaceAll("^_+|_+$", "");
        return text.isEmpty() ? "COLUMN_" + column : text;
    }

    /** A first line that names the columns (English or German), rather than an account. */
    private static boolean isHeader(List<String> fields) {
        if (fields.size() < 2) {
            return false;
        }
        String user = fields.get(0).trim().toLowerCase(Locale.ROOT);
        String password = fields.get(1).trim().toLowerCase(Locale.ROOT);
        return (user.startsWith("source")
                        || user.startsWith("quell")
                        || user.startsWith("user")
                        || user.startsWith("benutzer"))
                && (password.contains("pass") || password.contains("kennwort"));
    }

    private static StoreSpec user(StoreSpec server, List<String> fields, int index, int line) {
        String user = fields.get(index).trim();
        if (user.isEmpty() || user.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new UsageException("line " + line + ", column " + (index + 1) + ": not a user name");
        }
        return server.withUser(user);
    }

    private static StoreSpec server(
            List<String> fields, int index, @Nullable StoreSpec fallback, String side, int line) {
        if (fields.size() > index && !fields.get(index).isBlank()) {
            String scheme = fallback == null
                    ? "imaps"
                    : fallback.kind() == StoreSpec.Kind.POP3
                            ? Pop3Specs.scheme(fallback)
                            : java.util.Objects.requireNonNull(fallback.security())
                                    .scheme();
            try {
                // Checked for syntax here, for every line, before any line is run: a field that
                // is not a plausible host name is never looked up.
                String text = fields.get(index).trim();
                StoreSpec spec = StoreSpec.server(text, scheme);
                // A bare single-label name ("neu", "x2024") is far more often the tail of a
                // password shifted by an unquoted separator than a server: a host column must be
                // a dotted name, an address, localhost, or a URI that says it is one.
                String host = java.util.Objects.requireNonNull(spec.host()); // a server spec always has one
                if (!text.contains("://") && !host.contains(".") && !host.contains(":") && !host.equals("localhost")) {
                    throw new UsageException("not a fully qualified host name (write mail.example.org,"
                            + " an address, or imaps://host for a name without dots)");
                }
                return spec;
            } catch (UsageException e) {
                throw new UsageException(
                        "line " + line + ", column " + (index + 1) + " (" + side + " host): " + e.getMessage());
            }
        }
        if (fallback == null) {
            throw new UsageException("line " + line + ": no " + side + " host: give --" + side + " or a host column");
        }
        return fallback;
    }
}
