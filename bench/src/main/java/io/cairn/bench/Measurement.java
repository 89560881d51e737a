package io.cairn.bench;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * What one measured window of a flow saw: deliveries and publishes between the end of warm-up and the end of
 * the window, and the broker's CPU use meanwhile.
 *
 * @param seconds        the measured window's length
 * @param delivered      deliveries in the window
 * @param published      publishes in the window
 * @param brokerCpuCores broker CPU seconds per second in the window, or NaN without a broker pid
 * @param brokerRssKib   broker resident memory at the window's end, or -1 without a broker pid
 * @param drained        whether every message in flight completed after publishing stopped
 * @param generatorCpuCores this process's CPU seconds per second in the window (all its threads: event loops,
 *                       GC, JIT), or NaN where the JVM does not report it
 */
record Measurement(double seconds, long delivered, long published, double brokerCpuCores, long brokerRssKib,
                   boolean drained, double generatorCpuCores) {

    /** Deliveries per second. */
    double deliveriesPerSecond() {
        return seconds > 0 ? delivered / seconds : 0;
    }

    /** Publishes per second. */
    double publishesPerSecond() {
        return seconds > 0 ? published / seconds : 0;
    }

    /**
     * Publishes on {@code flow} for the warm-up, measures for the duration, then stops publishing and waits up
     * to {@code drainMillis} for what is in flight; a failure of the run cuts every phase short.
     *
     * @param broker the broker process to sample, or {@code null}
     */
    static Measurement of(Flow flow, RunState run, BrokerProcess broker, long warmupMillis, long durationMillis,
                          long drainMillis) throws InterruptedException {
        run.publishing(true);
        flow.startPublishing();
        run.awaitFailure(warmupMillis);
        long delivered0 = flow.delivered();
        long published0 = flow.published();
        double cpu0 = broker != null ? broker.cpuSeconds() : Double.NaN;
        long own0 = ownCpuNanos();
        long t0 = System.nanoTime();
        run.measuring(true);
        run.awaitFailure(durationMillis);
        run.measuring(false);
        long t1 = System.nanoTime();
        long delivered1 = flow.delivered();
        long published1 = flow.published();
        double cpu1 = broker != null ? broker.cpuSeconds() : Double.NaN;
        long own1 = ownCpuNanos();
        long rss = broker != null ? broker.rssKib() : -1;
        run.publishing(false);
        // a turn that began before the switch may still add a message; what is in flight is final after it
        boolean stopped = flow.awaitPublishersStopped(drainMillis);
        boolean drained = stopped && run.failure() == null && flow.awaitDrained(drainMillis);
        double seconds = (t1 - t0) / 1e9;
        return new Measurement(seconds, delivered1 - delivered0, published1 - published0,
                broker != null && seconds > 0 ? (cpu1 - cpu0) / seconds : Double.NaN, rss, drained,
                own0 >= 0 && own1 >= 0 && seconds > 0 ? (own1 - own0) / 1e9 / seconds : Double.NaN);
    }

    /** This process's CPU time in nanoseconds, or -1 where the JVM does not report it. */
    private static long ownCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** Seconds as milliseconds for the waits. */
    static long millis(double seconds) {
        return TimeUnit.MICROSECONDS.toMillis(Math.round(seconds * 1e6));
    }
}
