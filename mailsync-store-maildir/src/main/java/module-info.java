/** The Maildir and Maildir++ store. Exports only {@code org.mailsync.maildir}; its file formats are package-private. */
module org.mailsync.maildir {
    requires transitive org.mailsync.core;
    requires com.google.common;
    requires org.slf4j;
    requires static transitive org.jspecify;

    exports org.mailsync.maildir;
}
