package org.mailsync.migration;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.mailsync.migration.spi.MigrationStateStore;
import org.mailsync.spi.support.DurableFiles;

/**
 * Migration state as text files in one directory, one file per account ({@code key=value} lines a
 * human can read), each written to a temp file, forced to disk and renamed over the old one.
 *
 * <p>Thread-safe for different accounts.
 */
public final class FileMigrationStateStore implements MigrationStateStore {
    private static final String HEADER = "mailsync-migration-state 1";
    private static final String SUFFIX = ".state";

    private final Path directory;

    private FileMigrationStateStore(Path directory) {
        this.directory = directory;
    }

    /** A store in {@code directory}, created (0700) if missing; its files are 0600. */
    public static FileMigrationStateStore in(Path directory) throws IOException {
        DurableFiles.createPrivateDirectories(directory);
        return new FileMigrationStateStore(directory);
    }

    /** The directory holding the files. */
    public Path directory() {
        return directory;
    }

    private Path fileOf(String account) {
        // Hashed: an account name may hold characters a file name cannot (and must not choose the path).
        return directory.resolve(Hashing.sha256()
                        .hashString(account, StandardCharsets.UTF_8)
                        .toString()
                        .substring(0, 24)
                + SUFFIX);
    }

    @Override
    public List<AccountState> loadAll() throws IOException {
        List<AccountState> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                out.add(decode(file, Files.readString(file, StandardCharsets.UTF_8)));
            }
        }
        out.sort((a, b) -> a.account().compareTo(b.account()));
        return out;
    }

    @Override
    public void save(AccountState state) throws IOException {
        DurableFiles.replace(fileOf(state.account()), encode(state).getBytes(StandardCharsets.UTF_8));
    }

    static String encode(AccountState s) {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        line(out, "account", s.account());
        line(out, "domain", s.domain());
        line(out, "legacyLogin", s.legacyLogin());
        line(out, "status", s.status().name());
        line(out, "reason", s.reason());
        line(out, "provisioned", Boolean.toString(s.provisioned()));
        line(out, "passwordSet", Boolean.toString(s.passwordSet()));
        line(out, "recentPassDone", Boolean.toString(s.recentPassDone()));
        line(out, "queued", Boolean.toString(s.queued()));
        line(out, "attempts", Integer.toString(s.attempts()));
        line(out, "nextAttemptAt", instant(s.nextAttemptAt()));
        line(out, "firstCopyAt", instant(s.firstCopyAt()));
        line(out, "lastPassAt", instant(s.lastPassAt()));
        line(out, "messagesCopied", Long.toString(s.messagesCopied()));
        line(out, "updatedAt", s.updatedAt().toString());
        return out.toString();
    }

    private static String instant(@Nullable Instant t) {
        return t == null ? "" : t.toString();
    }

    private static void line(StringBuilder out, String key, String value) {
        out.append(key).append('=');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        out.append('\n');
    }

    private static String unescape(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                char n = value.charAt(++i);
                out.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static AccountState decode(Path file, String text) throws IOException {
        String[] lines = text.split("\n", -1);
        if (lines.length == 0 || !lines[0].equals(HEADER)) {
            throw new IOException("migration state " + file + " does not start with '" + HEADER + "'");
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            int eq = lines[i].indexOf('=');
            if (eq < 0) {
                throw new IOException("migration state " + file + ", line " + (i + 1) + ": no '='");
            }
            values.put(lines[i].substring(0, eq), unescape(lines[i].substring(eq + 1)));
        }
        try {
            return new AccountState(
                    required(values, "account", file),
                    required(values, "domain", file),
                    required(values, "legacyLogin", file),
                    MigrationStatus.valueOf(required(values, "status", file)),
                    values.getOrDefault("reason", ""),
                    Boolean.parseBoolean(values.get("provisioned")),
                    Boolean.parseBoolean(values.get("passwordSet")),
                    Boolean.parseBoolean(values.get("recentPassDone")),
                    Boolean.parseBoolean(values.get("queued")),
                    Integer.parseInt(values.getOrDefault("attempts", "0")),
                    optionalInstant(values.get("nextAttemptAt")),
                    optionalInstant(values.get("firstCopyAt")),
                    optionalInstant(values.get("lastPassAt")),
                    Long.parseLong(values.getOrDefault("messagesCopied", "0")),
                    Instant.parse(required(values, "updatedAt", file)));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IOException("migration state " + file + " is damaged: " + e.getMessage(), e);
        }
    }

    private static String required(Map<String, String> values, String key, Path file) throws IOException {
        String v = values.get(key);
        if (v == null) {
            throw new IOException("migration state " + file + " has no " + key);
        }
        return v;
    }

    private static @Nullable Instant optionalInstant(@Nullable String v) {
        return v == null || v.isEmpty() ? null : Instant.parse(v);
    }

    @Override
    public String toString() {
        return "FileMigrationStateStore[" + directory + "]";
    }
}
