/** The POP3 source store, on Eclipse Angus Mail's POP3 provider. Exports only {@code org.mailsync.pop3}. */
// "pop3" ends in a digit, which javac's module lint warns about; the protocol is named so.
@SuppressWarnings("module")
module org.mailsync.pop3 {
    requires transitive org.mailsync.core;
    requires com.google.common;
    requires org.slf4j;
    requires static transitive org.jspecify;
    requires org.eclipse.angus.mail;

    exports org.mailsync.pop3;
}
