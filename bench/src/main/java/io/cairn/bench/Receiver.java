package io.cairn.bench;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import org.HdrHistogram.Histogram;

/**
 * Checks and counts the messages one subscriber receives, per publisher: sequence {@code last + 1} is
 * expected; a lower one is a duplicate, a higher one a gap (the skipped messages count as not received). Each
 * message received in order (or skipped by a gap) completes its publisher's window slot if this subscriber is
 * one of the slot's holders. Optionally records the latency from the payload timestamp.
 *
 * <p>Not thread-safe: called on the subscriber connection's event loop only; the totals are read after the
 * event loops stopped, except {@link #received()}.
 */
final class Receiver {

    private final RunState run;
    private final Publisher[] publishers;
    private final boolean completes;
    private final long[] last;
    private final Histogram latency;
    private final Counter received = new Counter();
    private long unique;
    private long duplicates;
    private long gaps;
    private long foreign;

    /**
     * @param publishers indexed by the payload's publisher id
     * @param completes  whether this subscriber holds the publishers' window slots
     * @param latency    where to record the latency in microseconds while the run measures, or {@code null}
     */
    Receiver(RunState run, Publisher[] publishers, boolean completes, Histogram latency) {
        this.run = run;
        this.publishers = publishers;
        this.completes = completes;
        this.latency = latency;
        this.last = new long[publishers.length];
        Arrays.fill(last, -1);
    }

    /** Checks one payload of {@code length} bytes at {@code index}. */
    void onPayload(ByteBuf buf, int index, int length) {
        if (length < Payload.HEADER_BYTES || Payload.runId(buf, index) != run.runId()) {
            foreign++;
            return;
        }
        int publisher = Payload.publisher(buf, index);
        if (publisher < 0 || publisher >= last.length) {
            foreign++;
            return;
        }
        long sequence = Payload.sequence(buf, index);
        long previous = last[publisher];
        if (sequence <= previous) {
            duplicates++;
            return;
        }
        if (sequence != previous + 1) {
            gaps++;
            if (completes) {
                // the skipped messages will not come: free their slots, at most one window back
                Publisher p = publishers[publisher];
                long from = Math.max(previous + 1, sequence - p.window() + 1);
                for (long s = from; s < sequence; s++) {
                    p.complete(s);
                }
            }
        }
        last[publisher] = sequence;
        unique++;
        received.set(unique);
        if (latency != null && run.measuring()) {
            long micros = (System.nanoTime() - Payload.timestamp(buf, index)) / 1000;
            latency.recordValue(Math.max(0, micros));
        }
        if (completes) {
            publishers[publisher].complete(sequence);
        }
    }

    /** Distinct messages received in order or after a gap; any thread. */
    long received() {
        return received.get();
    }

    long duplicates() {
        return duplicates;
    }

    long gaps() {
        return gaps;
    }

    /** Messages of another run or too short to carry the payload header. */
    long foreign() {
        return foreign;
    }
}
