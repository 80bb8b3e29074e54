package org.mailsync.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusSnapshotTest {
    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    @Test
    void keepsTheViewsOrderOfStatesAndCopiesEverything() {
        Map<String, Long> states = new LinkedHashMap<>();
        states.put("QUEUED", 2L);
        states.put("DONE", 1L);
        states.put("AWAITING_LOGIN", 7L);
        List<AccountFailure> failures = new ArrayList<>(List.of(new AccountFailure("a", "r", 1, T0)));
        StatusSnapshot snapshot = new StatusSnapshot(T0, states, List.of(), List.of(), failures);
        states.put("FAILED", 9L);
        failures.clear();
        assertThat(snapshot.accountsByState())
                .containsExactly(Map.entry("QUEUED", 2L), Map.entry("DONE", 1L), Map.entry("AWAITING_LOGIN", 7L));
        assertThat(snapshot.failures()).hasSize(1);
        assertThat(snapshot.failuresTotal()).isEqualTo(1);
        assertThatThrownBy(() -> snapshot.accountsByState().put("X", 1L))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void refusesImpossibleFigures() {
        assertThatThrownBy(() -> new StatusSnapshot(T0, Map.of("DONE", -1L), List.of(), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        List<AccountFailure> two = List.of(new AccountFailure("a", "r", 1, T0), new AccountFailure("b", "r", 1, T0));
        assertThatThrownBy(() -> new StatusSnapshot(T0, Map.of(), List.of(), 0, List.of(), two, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failuresTotal");
        assertThatThrownBy(() -> new RunningMailbox("a", "w", -1, 1, 0, 1, T0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RunningMailbox("a", "w", 0, -2, 0, 1, T0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new RunningMailbox("a", "w", 0, RunningMailbox.UNKNOWN, 0, RunningMailbox.UNKNOWN, T0)
                        .messagesTotal())
                .isEqualTo(-1);
        assertThatThrownBy(() -> new ThroughputPoint(T0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ThroughputPoint(T0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AccountFailure("a", "r", 0, T0)).isInstanceOf(IllegalArgumentException.class);
    }
}
