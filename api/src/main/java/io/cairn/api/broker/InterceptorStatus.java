package io.cairn.api.broker;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The interceptors of one plugin as the broker sees them: what it intercepts, how often its interceptors failed,
 * and whether it was quarantined.
 *
 * @param plugin        the plugin: its bundle's symbolic name (in an embedded broker: the name its interceptors
 *                      were added under)
 * @param version       the bundle's version, or {@code null} in an embedded broker
 * @param kinds         what it intercepts now, in the order of {@code io.cairn.api.intercept}'s documentation
 *                      ({@code connect}, {@code publish}, {@code publish-async}, {@code delivery}, {@code subscribe},
 *                      {@code unsubscribe}, {@code disconnect}, {@code events}); empty once quarantined
 * @param exceptions    calls that threw, since its interceptors were added (or added again after a quarantine)
 * @param overruns      calls that took longer than their time budget, in the same span
 * @param quarantined   whether its failures exceeded the error budget: its interceptors were removed and (under
 *                      OSGi) its bundle was stopped until it is updated or started again
 * @param lastFailure   its last failure, for example {@code onPublish of client 'c1' on 'a/b' threw
 *                      java.lang.IllegalStateException: ...}, or {@code null}
 * @param lastFailureAt when {@code lastFailure} happened, or {@code null}
 * @since 1.4
 */
public record InterceptorStatus(String plugin, String version, List<String> kinds, long exceptions, long overruns,
                                boolean quarantined, String lastFailure, Instant lastFailureAt) {

    public InterceptorStatus {
        Objects.requireNonNull(plugin, "plugin");
        kinds = List.copyOf(kinds);
    }
}
