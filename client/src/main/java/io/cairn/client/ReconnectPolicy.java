package io.cairn.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a client tries to reconnect after losing its connection: never, or with exponential backoff and jitter.
 * Immutable.
 *
 * <p>The backoff before attempt {@code n} (from 1) is {@code min(max, initial * multiplier^(n-1))}, reduced by a
 * random fraction of up to {@code jitter} of itself, so that many clients that lost the same server do not
 * reconnect in step.
 */
public final class ReconnectPolicy {

    private static final ReconnectPolicy NONE = new ReconnectPolicy(false, Duration.ZERO, Duration.ZERO, 1, 0);

    private final boolean enabled;
    private final Duration initial;
    private final Duration max;
    private final double multiplier;
    private final double jitter;

    private ReconnectPolicy(boolean enabled, Duration initial, Duration max, double multiplier, double jitter) {
        this.enabled = enabled;
        this.initial = initial;
        this.max = max;
        this.multiplier = multiplier;
        this.jitter = jitter;
    }

    /** Never reconnect on its own: a lost connection stays lost until {@link MqttClient#connect()}. */
    public static ReconnectPolicy none() {
        return NONE;
    }

    /**
     * Exponential backoff with a jitter of 0.5 (each delay is between half and all of its nominal value).
     *
     * @throws IllegalArgumentException if {@code initial} is not positive, {@code max < initial} or
     *                                  {@code multiplier < 1}
     */
    public static ReconnectPolicy exponentialBackoff(Duration initial, Duration max, double multiplier) {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive, not " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " is less than initial " + initial);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be at least 1, not " + multiplier);
        }
        return new ReconnectPolicy(true, initial, max, multiplier, 0.5);
    }

    /** The default: 1 s doubling up to 1 min, jitter 0.5. */
    public static ReconnectPolicy defaultPolicy() {
        return exponentialBackoff(Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0);
    }

    /**
     * This policy with another jitter fraction: 0 for exact delays, 1 for delays anywhere between 0 and nominal.
     *
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1]
     * @throws IllegalStateException    on {@link #none()}
     */
    public ReconnectPolicy withJitter(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("jitter must be within [0, 1], not " + fraction);
        }
        if (!enabled) {
            throw new IllegalStateException("the none() policy has no delays to jitter");
        }
        return new ReconnectPolicy(true, initial, max, multiplier, fraction);
    }

    /** Whether the client reconnects on its own. */
    public boolean isEnabled() {
        return enabled;
    }

    public Duration initialDelay() {
        return initial;
    }

    public Duration maxDelay() {
        return max;
    }

    public double multiplier() {
        return multiplier;
    }

    public double jitter() {
        return jitter;
    }

    /** The backoff before attempt {@code attempt} (from 1) without jitter. */
    public Duration nominalDelay(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1, not " + attempt);
        }
        double nanos = initial.toNanos() * Math.pow(multiplier, attempt - 1.0);
        long capped = nanos >= max.toNanos() ? max.toNanos() : (long) nanos;
        return Duration.ofNanos(capped);
    }

    /** The backoff before attempt {@code attempt} (from 1), with a fresh random jitter. */
    public Duration delay(int attempt) {
        long nominal = nominalDelay(attempt).toNanos();
        double cut = jitter * ThreadLocalRandom.current().nextDouble();
        return Duration.ofNanos(nominal - (long) (nominal * cut));
    }

    @Override
    public String toString() {
        return enabled ? "ReconnectPolicy[initial=" + initial + ", max=" + max + ", multiplier=" + multiplier
                + ", jitter=" + jitter + "]" : "ReconnectPolicy[none]";
    }
}
