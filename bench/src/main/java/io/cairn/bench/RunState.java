package io.cairn.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The phase of a run and its first fatal failure, shared by the main thread and the event loops. Thread-safe.
 */
final class RunState {

    private static final Logger LOG = LoggerFactory.getLogger(RunState.class);

    private final int runId;
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final CountDownLatch failed = new CountDownLatch(1);
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicReference<String> firstRejection = new AtomicReference<>();
    private volatile boolean publishing;
    private volatile boolean measuring;

    RunState(int runId) {
        this.runId = runId;
    }

    /** The id this run writes into every payload. */
    int runId() {
        return runId;
    }

    /** Whether publishers may send. */
    boolean publishing() {
        return publishing;
    }

    void publishing(boolean value) {
        publishing = value;
    }

    /** Whether the measured window (after warm-up) is open; latencies are recorded only then. */
    boolean measuring() {
        return measuring;
    }

    void measuring(boolean value) {
        measuring = value;
    }

    /** Records the first fatal failure (a lost connection, a protocol error); later ones are only logged. */
    void fail(String message) {
        if (failure.compareAndSet(null, message)) {
            LOG.error("{}", message);
            failed.countDown();
        } else {
            LOG.debug("also: {}", message);
        }
    }

    /**
     * Counts one acknowledgement with an MQTT 5 failure reason code (0x80 or above): a message the broker did not
     * deliver. The run goes on; the report fails it.
     *
     * @param description what was rejected and why, kept for the first one
     */
    void reject(String description) {
        rejected.incrementAndGet();
        if (firstRejection.compareAndSet(null, description)) {
            LOG.warn("{}", description);
        }
    }

    /** Acknowledgements with a failure reason code so far. */
    long rejected() {
        return rejected.get();
    }

    /** What the first rejected acknowledgement said, or {@code null}. */
    String firstRejection() {
        return firstRejection.get();
    }

    /** The first fatal failure, or {@code null}. */
    String failure() {
        return failure.get();
    }

    /**
     * Waits up to {@code millis} for a fatal failure.
     *
     * @return {@code true} if the run failed
     */
    boolean awaitFailure(long millis) throws InterruptedException {
        return millis > 0 ? failed.await(millis, TimeUnit.MILLISECONDS) : failure.get() != null;
    }
}
