package org.mailsync.examples;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;

/**
 * A realistic small mailbox of a German office worker, the same every time: folders with German
 * names (special-use ones among them, recognised by name), nested folders, replies and forwards
 * with their flags and keywords, invoices with PDF attachments, and one message without a
 * Message-ID (some mailing-list software and scanners send those).
 *
 * <p>Thread-safe (stateless).
 */
public final class SampleMailbox {
    /** The folders the sample fills, with how many messages each gets. */
    private static final List<Object[]> FOLDERS = List.of(
            new Object[] {FolderPath.INBOX, 60},
            new Object[] {FolderPath.of("Gesendete Objekte"), 25},
            new Object[] {FolderPath.of("Entwürfe"), 3},
            new Object[] {FolderPath.of("Papierkorb"), 6},
            new Object[] {FolderPath.of("Spam"), 4},
            new Object[] {FolderPath.of("Archiv", "2023"), 30},
            new Object[] {FolderPath.of("Archiv", "2024"), 30},
            new Object[] {FolderPath.of("Projekte", "Umzug Büro"), 12},
            new Object[] {FolderPath.of("Rechnungen"), 10});

    private static final String[] PEOPLE = {
        "Jürgen Weiß <juergen.weiss@example.de>",
        "Sabine Müller <s.mueller@example.org>",
        "Ömer Yılmaz <oemer@example.com>",
        "Hausverwaltung Köhler <info@hv-koehler.example>",
        "Deutsche Bahn <buchungsbestaetigung@bahn.example>",
        "Katrin Groß <katrin.gross@example.net>"
    };
    private static final String[] SUBJECTS = {
        "Besprechung am Dienstag",
        "Re: Übergabe der Schlüssel",
        "Fwd: Angebot für die Büromöbel",
        "Ihre Buchungsbestätigung",
        "Grüße aus München",
        "Protokoll der Teamsitzung",
        "Urlaubsvertretung im Juli",
        "Änderung der Öffnungszeiten"
    };
    private static final DateTimeFormatter RFC_5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private SampleMailbox() {}

    /**
     * Creates the sample's folders in {@code store} and appends its messages, folders in parallel
     * (a store is thread-safe; each folder stays on its thread); returns how many.
     */
    public static int fill(MailStore store) throws MailStoreException, InterruptedException {
        // The messages are made first, in one order, so that the sample is the same every time.
        Random random = new Random(20240611);
        Map<FolderPath, List<AppendRequest>> folders = new LinkedHashMap<>();
        int number = 0;
        for (Object[] spec : FOLDERS) {
            FolderPath path = (FolderPath) spec[0];
            List<AppendRequest> requests = new ArrayList<>();
            for (int i = 0; i < (Integer) spec[1]; i++) {
                requests.add(message(path, ++number, random));
            }
            folders.put(path, requests);
            if (!path.isInbox()) {
                store.createFolder(path);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> appends = new ArrayList<>();
            folders.forEach((path, requests) -> appends.add(pool.submit(() -> {
                try (MailFolder folder = store.openFolder(path)) {
                    folder.appendAll(requests);
                }
                return null;
            })));
            for (Future<?> append : appends) {
                try {
                    append.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof MailStoreException failure) {
                        throw failure;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
            folders.values()
                    .forEach(requests -> requests.forEach(r -> r.message().close()));
        }
        return number;
    }

    private static AppendRequest message(FolderPath folder, int number, Random random) {
        Instant date = Instant.parse("2023-01-02T08:00:00Z").plusSeconds(random.nextInt(60 * 60 * 24 * 700));
        String folderName = folder.toString();
        boolean sent = folderName.startsWith("Gesendete");
        String me = "Anna Schäfer <anna.schaefer@alt.example>";
        String other = PEOPLE[random.nextInt(PEOPLE.length)];
        String subject = SUBJECTS[random.nextInt(SUBJECTS.length)];
        boolean invoice = folderName.equals("Rechnungen") || (folder.isInbox() && number % 9 == 0);
        if (invoice) {
            subject = "Rechnung Nr. " + (4711 + number) + " für Ihre Bestellung";
        }
        StringBuilder h = new StringBuilder();
        h.append("Return-Path: <")
                .append(sent ? "anna.schaefer@alt.example" : "bounce@example.org")
                .append(">\r\n");
        h.append("From: ").append(encodeWords(sent ? me : other)).append("\r\n");
        h.append("To: ").append(encodeWords(sent ? other : me)).append("\r\n");
        h.append("Subject: ").append(encodeWords(subject)).append("\r\n");
        h.append("Date: ")
                .append(RFC_5322.format(ZonedDateTime.ofInstant(date, ZoneId.of("Europe/Berlin"))))
                .append("\r\n");
        // Message 42 has no Message-ID: it must still be copied once and found again on a rerun.
        if (number != 42) {
            h.append("Message-ID: <")
                    .append(number)
                    .append(".")
                    .append(date.getEpochSecond())
                    .append("@alt.example>\r\n");
        }
        h.append("MIME-Version: 1.0\r\n");
        String text = "Hallo,\r\n\r\nanbei die Unterlagen zu \"" + subject + "\".\r\n"
                + "Bitte prüfen Sie die Angaben bis Freitag; für Rückfragen stehe ich gern zur Verfügung.\r\n"
                + "Schöne Grüße\r\n" + (sent ? "Anna Schäfer" : other.replaceAll(" <.*", "")) + "\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (invoice) {
            String boundary = "----=_Part_" + number + "_" + Long.toHexString(date.getEpochSecond());
            h.append("Content-Type: multipart/mixed; boundary=\"")
                    .append(boundary)
                    .append("\"\r\n\r\n");
            h.append("This is a multi-part message in MIME format.\r\n");
            h.append("--").append(boundary).append("\r\n");
            h.append("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
            h.append(quotedPrintable(text));
            h.append("--").append(boundary).append("\r\n");
            h.append("Content-Type: application/pdf; name=\"Rechnung-")
                    .append(4711 + number)
                    .append(".pdf\"\r\n");
            h.append("Content-Disposition: attachment; filename=\"Rechnung-")
                    .append(4711 + number)
                    .append(".pdf\"\r\n");
            h.append("Content-Transfer-Encoding: base64\r\n\r\n");
            byte[] pdf = new byte[20_000 + random.nextInt(180_000)];
            random.nextBytes(pdf);
            byte[] head = "%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(head, 0, pdf, 0, head.length);
            h.append(Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(pdf))
                    .append("\r\n");
            h.append("--").append(boundary).append("--\r\n");
        } else {
            h.append("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
            h.append(quotedPrintable(text.repeat(1 + random.nextInt(12))));
        }
        out.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));

        Set<Flag> system = EnumSet.noneOf(Flag.class);
        Set<String> keywords = new TreeSet<>();
        if (sent || random.nextInt(10) < 8) {
            system.add(Flag.SEEN);
        }
        if (folderName.startsWith("Entw")) {
            system.clear();
            system.add(Flag.DRAFT);
        }
        if (subject.startsWith("Re:")) {
            system.add(Flag.ANSWERED);
        }
        if (subject.startsWith("Fwd:")) {
            keywords.add("$Forwarded");
        }
        if (random.nextInt(12) == 0) {
            system.add(Flag.FLAGGED);
            keywords.add("Wichtig");
        }
        if (folderName.equals("Spam")) {
            keywords.add("$Junk");
        }
        return new AppendRequest(RawMessage.of(out.toByteArray()), Flags.of(system, keywords), date);
    }

    /** RFC 2047 encoded words for the non-ASCII parts of a header value (display names here). */
    private static String encodeWords(String value) {
        if (StandardCharsets.US_ASCII.newEncoder().canEncode(value)) {
            return value;
        }
        int angle = value.indexOf(" <");
        String phrase = angle < 0 ? value : value.substring(0, angle);
        String rest = angle < 0 ? "" : value.substring(angle);
        StringBuilder out = new StringBuilder("=?UTF-8?Q?");
        for (byte b : phrase.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == ' ') {
                out.append('_');
            } else if (c > 0x20 && c < 0x7f && c != '=' && c != '?' && c != '_' && c != '"') {
                out.append((char) c);
            } else {
                out.append(String.format("=%02X", c));
            }
        }
        return out.append("?=").append(rest).toString();
    }

    /** Quoted-printable (RFC 2045 6.7) of UTF-8 text with CRLF lines, soft-broken at 76. */
    private static String quotedPrintable(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\r\n", -1)) {
            StringBuilder encoded = new StringBuilder();
            int lineLength = 0;
            for (byte b : line.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                String piece = (c >= 33 && c <= 126 && c != '=') || c == ' '
                        ? String.valueOf((char) c)
                        : String.format("=%02X", c);
                if (lineLength + piece.length() > 75) {
                    encoded.append("=\r\n");
                    lineLength = 0;
                }
                encoded.append(piece);
                lineLength += piece.length();
            }
            out.append(encoded).append("\r\n");
        }
        // split(-1) leaves an empty last element after the final CRLF: drop its extra line end.
        return out.substring(0, out.length() - 2);
    }
}
