/** The IMAP store, on Eclipse Angus Mail's protocol layer. Exports only {@code org.mailsync.imap}. */
module org.mailsync.imap {
    requires transitive org.mailsync.core;
    requires com.google.common;
    requires org.slf4j;
    requires static transitive org.jspecify;
    requires org.eclipse.angus.mail;
    requires java.naming;

    exports org.mailsync.imap;
}
