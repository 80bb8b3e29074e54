/** The mbox store (mboxo, mboxrd, mboxcl, mboxcl2; Thunderbird trees). Exports only {@code org.mailsync.mbox}. */
module org.mailsync.mbox {
    requires transitive org.mailsync.core;
    requires com.google.common;
    requires static transitive org.jspecify;

    exports org.mailsync.mbox;
}
