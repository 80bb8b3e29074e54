package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * NullAway (issue 14.6) found stores passing {@code e.getMessage()}, which may be null, as the
 * reason: the reason must still never be null, and the text must not say "null".
 */
class MailStoreExceptionReasonTest {
    private static final ErrorContext CONTEXT = ErrorContext.of("mbox:/srv/a", FolderPath.of("x"));

    @Test
    void aNullReasonIsNamedByTheCause() {
        IOException cause = new IOException((String) null);
        MailStoreException e = new FolderUnusableException(CONTEXT, cause.getMessage(), cause);
        assertThat(e.reason()).isEqualTo("java.io.IOException");
        assertThat(e.getMessage()).isEqualTo(CONTEXT + ": java.io.IOException");
    }

    @Test
    void aNullReasonWithoutCauseIsStillText() {
        MailStoreException e = new ConnectionException(CONTEXT, null, null);
        assertThat(e.reason()).isEqualTo("unknown failure");
        assertThat(e.getMessage()).doesNotContain("null");
    }

    @Test
    void aGivenReasonIsKept() {
        MailStoreException e = new StoreFailureException(CONTEXT, "disk full", new IOException("ENOSPC"));
        assertThat(e.reason()).isEqualTo("disk full");
        assertThat(e.getMessage()).isEqualTo(CONTEXT + ": disk full");
    }
}
