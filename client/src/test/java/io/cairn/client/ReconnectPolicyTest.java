package io.cairn.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReconnectPolicyTest {

    @Test
    @DisplayName("the nominal delay grows by the multiplier and stops at the maximum")
    void exponentialGrowthCapped() {
        ReconnectPolicy p = ReconnectPolicy.exponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0);
        assertThat(p.nominalDelay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.nominalDelay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.nominalDelay(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(p.nominalDelay(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.nominalDelay(10_000)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    @DisplayName("jitter keeps each delay between (1 - jitter) x nominal and nominal, and does vary it")
    void jitterBounds() {
        ReconnectPolicy p = ReconnectPolicy.exponentialBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0)
                .withJitter(0.5);
        java.util.Set<Duration> seen = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            Duration d = p.delay(3);
            assertThat(d).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
            seen.add(d);
        }
        assertThat(seen).as("distinct delays over 200 draws").hasSizeGreaterThan(10);
        ReconnectPolicy exact = p.withJitter(0);
        assertThat(exact.delay(3)).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    @DisplayName("none() is disabled; bad parameters are refused")
    void noneAndValidation() {
        assertThat(ReconnectPolicy.none().isEnabled()).isFalse();
        assertThat(ReconnectPolicy.defaultPolicy().isEnabled()).isTrue();
        assertThatIllegalStateException().isThrownBy(() -> ReconnectPolicy.none().withJitter(0.1));
        assertThatIllegalArgumentException().isThrownBy(
                () -> ReconnectPolicy.exponentialBackoff(Duration.ZERO, Duration.ofSeconds(1), 2));
        assertThatIllegalArgumentException().isThrownBy(
                () -> ReconnectPolicy.exponentialBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2));
        assertThatIllegalArgumentException().isThrownBy(
                () -> ReconnectPolicy.exponentialBackoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5));
        assertThatIllegalArgumentException().isThrownBy(
                () -> ReconnectPolicy.defaultPolicy().withJitter(1.5));
    }
}
