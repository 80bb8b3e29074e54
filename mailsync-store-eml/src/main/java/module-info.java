/** The store for folders of {@code .eml} files. Exports only {@code org.mailsync.eml}. */
module org.mailsync.eml {
    requires transitive org.mailsync.core;
    requires com.google.common;
    requires org.slf4j;
    requires static transitive org.jspecify;

    exports org.mailsync.eml;
}
