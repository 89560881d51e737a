package io.cairn.client.testsupport;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * A Netty leak detector factory whose detectors keep every leak they report, so a test run can fail on them
 * instead of only logging them. Detectors report even when the error log level is off.
 */
public final class RecordingLeakDetectorFactory extends ResourceLeakDetectorFactory {

    private final Queue<LeakReport> reports = new ConcurrentLinkedQueue<>();
    private final boolean log;

    /** A factory whose detectors also log each leak as Netty's own do. */
    public RecordingLeakDetectorFactory() {
        this(true);
    }

    /** A factory whose detectors log each leak only if {@code log} (tests of leak detection pass false). */
    public RecordingLeakDetectorFactory(boolean log) {
        this.log = log;
    }

    /**
     * One leak: the type of the resource that was garbage-collected without being released, and the access
     * records Netty kept for it (empty for an untraced leak).
     *
     * @param resourceType the simple name of the leaked resource's class, {@code ByteBuf} for buffers
     * @param records      where the resource was created and last touched, or empty
     */
    public record LeakReport(String resourceType, String records) {
        @Override
        public String toString() {
            return "LEAK of " + resourceType + (records.isEmpty() ? " (no records)" : ":" + records);
        }
    }

    @Override
    @SuppressWarnings("deprecation") // abstract in Netty, so it must be implemented
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                              long maxActive) {
        return new RecordingDetector<>(resource, samplingInterval, reports, log);
    }

    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
        return new RecordingDetector<>(resource, samplingInterval, reports, log);
    }

    /** Removes and returns the leaks reported so far. */
    public List<LeakReport> drain() {
        List<LeakReport> out = new ArrayList<>();
        for (LeakReport r; (r = reports.poll()) != null; ) {
            out.add(r);
        }
        return out;
    }

    /** Removes and returns the leaks reported so far that match {@code filter}; the others stay. */
    public List<LeakReport> drain(Predicate<LeakReport> filter) {
        List<LeakReport> out = new ArrayList<>();
        reports.removeIf(r -> {
            if (filter.test(r)) {
                out.add(r);
                return true;
            }
            return false;
        });
        return out;
    }

    /** Whether {@code detector} was made by a factory of this class. */
    public static boolean isRecording(ResourceLeakDetector<?> detector) {
        return detector instanceof RecordingDetector;
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        private final Queue<LeakReport> sink;
        private final boolean log;

        RecordingDetector(Class<?> resourceType, int samplingInterval, Queue<LeakReport> sink, boolean log) {
            super(resourceType, samplingInterval);
            this.sink = sink;
            this.log = log;
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            sink.add(new LeakReport(resourceType, records));
            if (log) {
                super.reportTracedLeak(resourceType, records);
            }
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            sink.add(new LeakReport(resourceType, ""));
            if (log) {
                super.reportUntracedLeak(resourceType);
            }
        }
    }
}
