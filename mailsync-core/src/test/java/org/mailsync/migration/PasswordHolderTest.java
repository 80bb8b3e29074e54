package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.mailsync.ConnectionException;
import org.mailsync.ErrorContext;

/** The password holder keeps copies of its own, zeroes every copy it hands out, and never prints one. */
class PasswordHolderTest {
    private final PasswordHolder holder = new PasswordHolder();

    private @Nullable String read(String account) throws Exception {
        return holder.withCopy(account, p -> new String(p));
    }

    @Test
    void keepsACopyOfItsOwnAndZeroesTheCopyEachUseGets() throws Exception {
        char[] typed = "alice-password".toCharArray();
        holder.keep("alice", typed);
        typed[0] = 'X'; // the caller's array stays the caller's

        AtomicReference<char[]> given = new AtomicReference<>();
        String seen = holder.withCopy("alice", p -> {
            given.set(p);
            return new String(p);
        });

        assertThat(seen).isEqualTo("alice-password");
        assertThat(given.get()).containsOnly('\0');
        assertThat(read("alice")).isEqualTo("alice-password");
    }

    @Test
    void aUseThatFailsStillGetsItsCopyZeroed() {
        holder.keep("alice", "pw".toCharArray());
        AtomicReference<char[]> given = new AtomicReference<>();
        assertThatThrownBy(() -> holder.withCopy("alice", p -> {
                    given.set(p);
                    throw new ConnectionException(ErrorContext.of("legacy:alice"), "dropped", null);
                }))
                .isInstanceOf(ConnectionException.class);
        assertThat(given.get()).containsOnly('\0');
    }

    @Test
    void forgottenPasswordsAreGoneAndKeepIfAbsentKeepsTheFirst() throws Exception {
        assertThat(holder.keepIfAbsent("bob", "first".toCharArray())).isTrue();
        assertThat(holder.keepIfAbsent("bob", "second".toCharArray())).isFalse();
        assertThat(read("bob")).isEqualTo("first");
        holder.keep("carol", "c".toCharArray());

        holder.forget("bob");
        assertThat(holder.holds("bob")).isFalse();
        assertThat(read("bob")).isNull();
        assertThat(holder.holds("carol")).isTrue();

        holder.forgetAll();
        assertThat(holder.holds("carol")).isFalse();
    }

    @Test
    void printsNoPassword() {
        holder.keep("alice", "alice-password".toCharArray());
        assertThat(holder.toString()).doesNotContain("alice-password").contains("1 held");
    }
}
