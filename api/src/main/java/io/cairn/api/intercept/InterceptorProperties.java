package io.cairn.api.intercept;

/** Service properties an interceptor service may carry, besides {@code service.ranking}. */
public final class InterceptorProperties {

    /**
     * The listener names the interceptor applies to ({@code String} or {@code String[]}); absent: every listener.
     */
    public static final String LISTENERS = "cairn.intercept.listeners";

    /**
     * The time budget of one call, in milliseconds ({@code Integer} or {@code Long}); default 50 for synchronous
     * interceptors (a call that took longer is counted as an overrun), 1000 for asynchronous ones (a stage not
     * complete by then is abandoned and {@link #ON_FAILURE} applies).
     */
    public static final String BUDGET_MILLIS = "cairn.intercept.budget.millis";

    /**
     * The outcome when a call throws or overruns an asynchronous budget: {@code "pass"} (the default) or
     * {@code "drop"} (publish and delivery: the message is dropped; connect and subscribe: refused).
     */
    public static final String ON_FAILURE = "cairn.intercept.onFailure";

    private InterceptorProperties() {
    }
}
