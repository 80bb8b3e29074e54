package org.mailsync.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Raw test messages with the shapes that break naive mail code. Thread-safe (stateless). */
public final class TestMessages {
    private TestMessages() {}

    /** A small plain message with CRLF line ends. */
    public static byte[] simple(String subject, String body) {
        return ("From: Alice <alice@example.org>\r\n"
                        + "To: Bob <bob@example.org>\r\n"
                        + "Subject: " + subject + "\r\n"
                        + "Date: Mon, 2 Mar 2026 10:00:00 +0100\r\n"
                        + "Message-ID: <" + Math.abs((long) subject.hashCode()) + "." + body.length()
                        + "@example.org>\r\n"
                        + "\r\n"
                        + body + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Raw 8-bit UTF-8 and Latin-1 bytes in headers and body, unencoded, as real mail has. */
    public static byte[] eightBitHeaders() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("From: Jürgen Müller <juergen@example.de>\r\nSubject: Grüße aus Köln\r\n"
                .getBytes(StandardCharsets.UTF_8));
        out.writeBytes("X-Latin1: caf\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        out.writeBytes("Schöne Grüße, ½ € ✓\r\n".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** A message with headers only and an empty body. */
    public static byte[] emptyBody() {
        return "From: a@example.org\r\nSubject: empty\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    /** A message with one body line of {@code length} characters. */
    public static byte[] longLine(int length) {
        StringBuilder body = new StringBuilder("From: a@example.org\r\nSubject: long line\r\n\r\n");
        for (int i = 0; i < length; i++) {
            body.append((char) ('a' + i % 26));
        }
        body.append("\r\n");
        return body.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A MIME message with a base64 attachment, about {@code size} bytes in all. */
    public static byte[] withAttachment(int size, long seed) {
        Random random = new Random(seed);
        StringBuilder m = new StringBuilder();
        m.append("From: a@example.org\r\nSubject: attachment ").append(seed).append("\r\n");
        m.append("Message-ID: <att-").append(seed).append("@example.org>\r\n");
        m.append("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n");
        m.append("--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n");
        m.append("--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        while (m.length() < size - 80) {
            for (int i = 0; i < 76; i++) {
                m.append(alphabet.charAt(random.nextInt(64)));
            }
            m.append("\r\n");
        }
        m.append("--b1--\r\n");
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
