package io.cairn.client.testsupport;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class when Netty reports a leaked buffer (or any other leak-tracked resource) during or after
 * it. Registered for every test of the module through
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} and
 * {@code junit.jupiter.extensions.autodetection.enabled=true}.
 *
 * <p>Loading the class installs a {@link RecordingLeakDetectorFactory} as Netty's detector factory; this must
 * happen before Netty creates its buffer leak detector (when {@code AbstractByteBuf} is initialised), which
 * autodetection guarantees because JUnit creates the extension before it runs any test. After each test class
 * the extension collects garbage a few bounded rounds, allocates buffers so the detector polls its queue, and
 * fails naming every leak with the access records Netty kept. It also fails if the buffer detector in use is
 * not a recording one, so leak checking can never silently be off.
 *
 * <p>With {@code -Dcairn.leaks.perTest=true} it also checks after every test, which is slower but names the
 * test that leaked rather than the class during which the collector happened to notice.
 */
public final class LeakFailExtension implements AfterAllCallback, AfterEachCallback {

    private static final Logger LOG = LoggerFactory.getLogger(LeakFailExtension.class);

    /** The factory installed for the whole test JVM. */
    static final RecordingLeakDetectorFactory FACTORY = install();

    /** The system property that turns on the check after every test. */
    public static final String PER_TEST_PROPERTY = "cairn.leaks.perTest";

    private static final boolean PER_TEST = Boolean.getBoolean(PER_TEST_PROPERTY);
    private static final int GC_ROUNDS = 3;
    private static final Duration GC_WAIT = Duration.ofSeconds(2);

    private static RecordingLeakDetectorFactory install() {
        RecordingLeakDetectorFactory factory = new RecordingLeakDetectorFactory();
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(factory);
        if (ResourceLeakDetector.getLevel().ordinal() < ResourceLeakDetector.Level.PARANOID.ordinal()) {
            LOG.warn("Netty leak detection was {}, raising it to PARANOID for the tests",
                    ResourceLeakDetector.getLevel());
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        return factory;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (PER_TEST) {
            check(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        check(context);
    }

    private static void check(ExtensionContext context) {
        requireRecordingDetector();
        settle(LeakFailExtension::allocateBuffers);
        List<RecordingLeakDetectorFactory.LeakReport> leaks = FACTORY.drain();
        if (!leaks.isEmpty()) {
            throw failure(where(context), leaks);
        }
    }

    private static String where(ExtensionContext context) {
        return context.getTestMethod()
                .map(m -> m.getDeclaringClass().getSimpleName() + "." + m.getName() + " [" + context.getDisplayName()
                        + "]")
                .orElseGet(context::getDisplayName);
    }

    /**
     * Gives the garbage collector {@value #GC_ROUNDS} bounded chances to clear unreleased resources and runs
     * {@code poke} after each, so that detectors poll their reference queues and report what was cleared.
     */
    static void settle(Runnable poke) {
        for (int round = 0; round < GC_ROUNDS; round++) {
            awaitGarbageCollection();
            poke.run();
        }
    }

    /**
     * Runs the collector until an object that became unreachable is seen enqueued by the reference handler
     * (so the weak references of leaked resources cleared in that cycle are enqueued as well), at most
     * {@link #GC_WAIT}.
     */
    private static void awaitGarbageCollection() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        try {
            Awaitility.await("garbage collection")
                    .atMost(GC_WAIT)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        System.gc();
                        return queue.poll() == sentinel;
                    });
        } catch (ConditionTimeoutException e) {
            LOG.warn("the garbage collector did not clear a weak reference within {}; leaks may be reported late",
                    GC_WAIT);
        }
    }

    /** Allocates and releases buffers from each allocator: every allocation makes Netty poll for leaks. */
    static void allocateBuffers() {
        for (ByteBufAllocator allocator : List.of(ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT,
                UnpooledByteBufAllocator.DEFAULT)) {
            ByteBuf heap = allocator.heapBuffer(8);
            heap.release();
            ByteBuf direct = allocator.directBuffer(8);
            direct.release();
        }
    }

    /** The failure for {@code leaks}, naming each with its records. */
    static AssertionError failure(String where, List<RecordingLeakDetectorFactory.LeakReport> leaks) {
        return new AssertionError(leaks.size() + " Netty resource leak(s) reported during or before the end of "
                + where + ":\n" + leaks.stream().map(Object::toString).collect(Collectors.joining("\n\n")));
    }

    /** Fails unless the buffer leak detector Netty uses is a recording one. */
    static void requireRecordingDetector() {
        ResourceLeakDetector<?> detector = byteBufDetector();
        if (!RecordingLeakDetectorFactory.isRecording(detector)) {
            throw new AssertionError("Netty's ByteBuf leak detector is " + detector.getClass().getName()
                    + ", not a recording one: AbstractByteBuf was initialised before LeakFailExtension was loaded,"
                    + " so leaks would only be logged. Is junit.jupiter.extensions.autodetection.enabled=true?");
        }
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new AssertionError("Netty leak detection level is " + ResourceLeakDetector.getLevel()
                    + ", expected PARANOID");
        }
    }

    /** The detector {@code AbstractByteBuf} tracks every buffer with. */
    static ResourceLeakDetector<?> byteBufDetector() {
        try {
            Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
            f.setAccessible(true);
            return (ResourceLeakDetector<?>) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read AbstractByteBuf.leakDetector to check leak detection is on", e);
        }
    }
}
