package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * On a shared state store a change is applied to the newest state, which may differ from the one
 * the caller decided on: a login that saw "not provisioned" writes its provisioning intent after
 * another node's pre-staging job provisioned the account and started copying.
 */
class SharedStoreRaceTest {
    private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

    @Test
    void aProvisioningIntentOverAnAccountProvisionedMeanwhileLeavesItAsItIs() {
        AccountState copying = AccountState.fresh("alice@example.org", "example.org", "alice", NOW)
                .withProvisioned(false, NOW)
                .withStatus(MigrationStatus.COPYING, "", NOW);
        // Before: IllegalArgumentException ("an account in status COPYING must be provisioned").
        assertThat(copying.withProvisioningIntent(true, NOW.plusSeconds(1))).isEqualTo(copying);
    }
}
