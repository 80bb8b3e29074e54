package org.mailsync.eml;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/**
 * Files shaped like the {@code .eml} test mail of mail programs and parsers (Thunderbird's
 * xpcshell messages, parser fixtures, Outlook and Apple Mail exports), generated here: LF line ends
 * and no final newline, a koi8-r encoded-word subject whose text ends in a line break, UTF-8 in
 * raw and encoded headers, Outlook's TAB-folded headers, mixed line ends with a lone CR, a BOM,
 * no {@code Date:} at all. Each is one message served as an IMAP server would serve it, survives a
 * copy into another tree byte for byte, and gets a readable, portable name there.
 */
class RealEmlShapesTest {
    @TempDir
    Path tmp;

    private static final Instant TIME = Instant.parse("2023-03-04T05:06:07Z");

    private static byte[] bytes(String s, Charset cs) {
        return s.getBytes(cs);
    }

    private static Map<String, byte[]> shapes() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(
                "koi8 no final newline.eml",
                bytes(
                        "Newsgroups: comp.mail.misc\nFrom: Reporter <r@example.invalid>\n"
                                + "Subject: =?koi8-r?B?4czGwdfJ1Ao=?=\nDate: Sun, 27 May 2001 21:23:35 +0100\n"
                                + "MIME-Version: 1.0\nMessage-ID: <k1@example.invalid>\n"
                                + "Content-Type: text/plain; charset=koi8-r;\nContent-Transfer-Encoding: base64\n\n98/Q0s/TCg==",
                        StandardCharsets.US_ASCII));
        files.put(
                "utf8 headers.eml",
                bytes(
                        "Message-ID: <u1@example.invalid>\nDate: Mon, 23 Sep 2024 16:16:47 +0200\nMIME-Version: 1.0\n"
                                + "From: =?UTF-8?Q?H=C3=B6rst=2C_Kenny?= <k@example.invalid>\n"
                                + "Subject: Grüße – raw UTF-8\nContent-Type: text/plain; charset=UTF-8\n\nTest\n",
                        StandardCharsets.UTF_8));
        files.put(
                "outlook.EML",
                bytes(
                        "Received: from EX01.corp.example (10.0.0.1) by EX02.corp.example\r\n\t(10.0.0.2) with Microsoft SMTP Server"
                                + " id 15.1.2507.6; Tue, 5 Mar 2024 09:00:00 +0100\r\nFrom: \"Doe, Jane\" <jane@corp.example>\r\n"
                                + "To: \"Roe, Rick\" <rick@corp.example>\r\nSubject: RE: Q1 figures\r\nThread-Topic: Q1 figures\r\n"
                                + "Thread-Index: AQHZoXzYm8YpUCUtTUGHRFEeKbgDbg==\r\nDate: Tue, 5 Mar 2024 08:59:58 +0000\r\n"
                                + "Message-ID:\r\n\t<AM0PR01MB1234@AM0PR01MB1234.eurprd01.prod.exchangelabs.com>\r\n"
                                + "Content-Language: en-US\r\nX-MS-Has-Attach: yes\r\nX-MS-TNEF-Correlator:\r\n"
                                + "Content-Type: multipart/mixed;\r\n\tboundary=\"_002_\"\r\nMIME-Version: 1.0\r\n\r\n"
                                + "--_002_\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n\r\nSee attached.\r\n\r\n"
                                + "--_002_\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"
                                + "Content-Transfer-Encoding: base64\r\n\r\neJ8+IgEAAQaQCAAEAAAAAAABAAEAAQeQBgAIAAAA5AQAAAAAAADo\r\n\r\n--_002_--\r\n",
                        StandardCharsets.US_ASCII));
        files.put(
                "mixed line ends.eml",
                bytes(
                        "Subject: mixed\r\nX-Mozilla-Status: 0001\nDate: Wed, 6 Mar 2024 10:00:00 +0000\n\r\nline with a lone \r CR\nlast",
                        StandardCharsets.US_ASCII));
        ByteArrayOutputStream bom = new ByteArrayOutputStream();
        bom.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        bom.writeBytes(bytes("Subject: with a BOM\r\n\r\nx\r\n", StandardCharsets.US_ASCII));
        files.put("bom.eml", bom.toByteArray());
        files.put(
                "no date.eml", bytes("From: x@example.invalid\nSubject: no date\n\nbody\n", StandardCharsets.US_ASCII));
        return files;
    }

    /** What an IMAP server serves for a file with LF line ends: each bare LF as CRLF. */
    private static byte[] served(byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int previous = -1;
        for (byte b : file) {
            if (b == '\n' && previous != '\r') {
                out.write('\r');
            }
            out.write(b);
            previous = b;
        }
        return out.toByteArray();
    }

    @Test
    void eachFileIsOneMessageServedAsAnImapServerWouldAndCopiedByteForByte() throws Exception {
        Path source = tmp.resolve("export");
        Files.createDirectories(source);
        Map<String, byte[]> files = shapes();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path p = source.resolve(e.getKey());
            Files.write(p, e.getValue());
            Files.setLastModifiedTime(p, FileTime.from(TIME));
        }
        List<byte[]> expected = new ArrayList<>();
        files.values().forEach(b -> expected.add(served(b)));

        try (EmlStore from = EmlStore.builder().root(source).readOnly(true).build()) {
            try (MailFolder inbox = from.openFolder(FolderPath.INBOX)) {
                List<MessageInfo> all = new ArrayList<>();
                inbox.list(MessageQuery.all(), all::addAll);
                assertThat(all).hasSize(files.size());
                assertThat(inbox.skipped()).isEmpty();
                List<byte[]> read = new ArrayList<>();
                for (MessageInfo m : all) {
                    try (RawMessage raw = inbox.read(m.uid()).orElseThrow()) {
                        assertThat(raw.size()).isEqualTo(m.size());
                        read.add(raw.toByteArray());
                    }
                }
                assertThat(read).containsExactlyInAnyOrderElementsOf(expected);
            }
            try (EmlStore to = EmlStore.builder().root(tmp.resolve("copy")).build()) {
                SyncReport report = SyncEngine.builder()
                        .source(from)
                        .target(to)
                        .checkpointDirectory(tmp.resolve("cp"))
                        .build()
                        .run();
                assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
                assertThat(report.copied()).isEqualTo(files.size());
            }
        }
        Path copied = tmp.resolve("copy/INBOX");
        List<String> names;
        try (Stream<Path> s = Files.list(copied)) {
            names = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".eml"))
                    .sorted()
                    .toList();
        }
        assertThat(names)
                .containsExactlyInAnyOrder(
                        "2023-03-04 0506 Алфавит.eml",
                        "2023-03-04 0506 Grüße – raw UTF-8.eml",
                        "2023-03-04 0506 RE_ Q1 figures.eml",
                        "2023-03-04 0506 mixed.eml",
                        "2023-03-04 0506 with a BOM.eml",
                        "2023-03-04 0506 no date.eml");
        List<byte[]> stored = new ArrayList<>();
        for (String n : names) {
            stored.add(Files.readAllBytes(copied.resolve(n)));
            assertThat(Files.getLastModifiedTime(copied.resolve(n)).toInstant()).isEqualTo(TIME);
        }
        assertThat(stored).containsExactlyInAnyOrderElementsOf(expected);
    }
}
