package io.cairn.kernel.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Proves that {@link LeakFailExtension} is not a no-op: it is installed for this module's tests, its detectors
 * catch a buffer that is garbage-collected without release, and the failure it raises names the leak.
 */
class LeakFailExtensionTest {

    @Test
    @DisplayName("the extension is installed: Netty tracks every ByteBuf with a recording detector at PARANOID")
    void installedForTheWholeRun() {
        ByteBufAllocator.DEFAULT.heapBuffer(1).release(); // makes sure AbstractByteBuf is initialised

        assertThat(ResourceLeakDetectorFactory.instance()).isSameAs(LeakFailExtension.FACTORY);
        assertThat(RecordingLeakDetectorFactory.isRecording(LeakFailExtension.byteBufDetector())).isTrue();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        LeakFailExtension.requireRecordingDetector();
    }

    @Test
    @DisplayName("a detector of the recording factory reports a ByteBuf collected without release, with its records")
    void detectorReportsALeakedBuffer() {
        RecordingLeakDetectorFactory factory = new RecordingLeakDetectorFactory(false);
        ResourceLeakDetector<ByteBuf> detector = factory.newResourceLeakDetector(ByteBuf.class, 1);

        trackAndForget(detector);
        LeakFailExtension.settle(() -> trackAndClose(detector));
        List<RecordingLeakDetectorFactory.LeakReport> leaks = factory.drain();

        assertThat(leaks).hasSize(1);
        assertThat(leaks.get(0).resourceType()).isEqualTo("ByteBuf");
        assertThat(leaks.get(0).records()).contains("trackAndForget");
        AssertionError failure = LeakFailExtension.failure("LeakFailExtensionTest", leaks);
        assertThat(failure).hasMessageContaining("1 Netty resource leak(s)")
                .hasMessageContaining("LEAK of ByteBuf")
                .hasMessageContaining("trackAndForget");
    }

    @Test
    @DisplayName("a released buffer is not reported")
    void releasedBufferIsNotReported() {
        RecordingLeakDetectorFactory factory = new RecordingLeakDetectorFactory(false);
        ResourceLeakDetector<ByteBuf> detector = factory.newResourceLeakDetector(ByteBuf.class, 1);

        trackAndClose(detector);
        LeakFailExtension.settle(() -> trackAndClose(detector));

        assertThat(factory.drain()).isEmpty();
    }

    @Test
    @DisplayName("a ByteBuf from Netty's default allocator dropped without release is reported by the installed factory")
    void installedFactoryReportsALeakFromTheDefaultAllocator() {
        leakFromDefaultAllocator();
        LeakFailExtension.settle(LeakFailExtension::allocateBuffers);

        // take only this test's leak, so the class still fails on any other one
        List<RecordingLeakDetectorFactory.LeakReport> ours =
                LeakFailExtension.FACTORY.drain(r -> r.records().contains("leakFromDefaultAllocator"));
        assertThat(ours).isNotEmpty();
        assertThat(ours).allSatisfy(r -> assertThat(r.resourceType()).isEqualTo("ByteBuf"));
    }

    /** Tracks a buffer and drops both without closing the tracker: a leak once the buffer is collected. */
    private static void trackAndForget(ResourceLeakDetector<ByteBuf> detector) {
        ByteBuf buf = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 8, 8);
        assertThat(detector.track(buf)).isNotNull();
    }

    /** Tracks a buffer and closes the tracker properly; each call also makes the detector poll for leaks. */
    private static void trackAndClose(ResourceLeakDetector<ByteBuf> detector) {
        ByteBuf buf = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 8, 8);
        ResourceLeakTracker<ByteBuf> tracker = detector.track(buf);
        assertThat(tracker).isNotNull();
        assertThat(tracker.close(buf)).isTrue();
    }

    /** Allocates a buffer and writes to it, then forgets it without release. */
    private static void leakFromDefaultAllocator() {
        ByteBuf buf = ByteBufAllocator.DEFAULT.heapBuffer(16);
        buf.writeInt(42);
    }
}
