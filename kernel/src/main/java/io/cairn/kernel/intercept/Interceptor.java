package io.cairn.kernel.intercept;

import java.util.Set;

/**
 * One interceptor service as the kernel holds it: the service, whose it is (for its fault budget), where it applies
 * and how it fails.
 *
 * @param service       the interceptor (one of the {@code io.cairn.api.intercept} interfaces)
 * @param owner         the fault budget of its bundle (or, embedded, of its name)
 * @param ranking       its {@code service.ranking}: higher runs first
 * @param order         the order of registration (the service id in OSGi): earlier runs first at equal ranking
 * @param listeners     the listener names it applies to, or {@code null} for all
 * @param budgetNanos   the time budget of one call
 * @param dropOnFailure whether a failed call drops/refuses (otherwise it passes)
 * @param async         whether this entry is the service as an {@code AsyncPublishInterceptor}
 */
public record Interceptor<T>(T service, FaultBudget owner, int ranking, long order, Set<String> listeners,
                             long budgetNanos, boolean dropOnFailure, boolean async) {

    /** Whether it applies to clients of {@code listener}. */
    public boolean appliesTo(String listener) {
        return listeners == null || listeners.contains(listener);
    }
}
