package org.mailsync.imap;

/** Settings that make GreenMail behave like a real server where it can. Thread-safe (stateless). */
final class GreenMailQuirks {
    private GreenMailQuirks() {}

    /**
     * GreenMail parses an appended message into a MimeMessage with {@code mail.mime.allowutf8}
     * (read from a system property, default true), so a Latin-1 byte in a header comes back as
     * U+FFFD. Read as ISO-8859-1 every byte survives; real servers store the bytes as sent. Must
     * run before GreenMail's first message: its mail session is made once per JVM.
     */
    static void keepRawHeaderBytes() {
        System.setProperty("mail.mime.allowutf8", "false");
    }
}
