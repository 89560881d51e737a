package io.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReceiverTest {

    private static final int RUN = 0x5eed;

    private final RunState run = new RunState(RUN);
    private final Publisher[] publishers = new Publisher[2];

    private static ByteBuf payload(int runId, int publisher, long sequence) {
        ByteBuf buf = Unpooled.buffer(Payload.HEADER_BYTES + 8);
        buf.writeInt(runId).writeInt(publisher).writeLong(sequence).writeLong(System.nanoTime());
        buf.writeLong(0); // filler
        return buf;
    }

    private static void deliver(Receiver r, int runId, int publisher, long sequence) {
        ByteBuf buf = payload(runId, publisher, sequence);
        try {
            r.onPayload(buf, 0, buf.readableBytes());
        } finally {
            buf.release();
        }
    }

    @Test
    @DisplayName("in-order sequences per publisher count as received, nothing else is reported")
    void inOrder() {
        Receiver r = new Receiver(run, publishers, false, null);
        for (long s = 0; s < 5; s++) {
            deliver(r, RUN, 0, s);
            deliver(r, RUN, 1, s);
        }

        assertThat(r.received()).isEqualTo(10);
        assertThat(r.duplicates()).isZero();
        assertThat(r.gaps()).isZero();
    }

    @Test
    @DisplayName("a repeated sequence is a duplicate; a skipped one is a gap and the skipped message is not received")
    void duplicatesAndGaps() {
        Receiver r = new Receiver(run, publishers, false, null);
        deliver(r, RUN, 0, 0);
        deliver(r, RUN, 0, 1);
        deliver(r, RUN, 0, 1);   // duplicate
        deliver(r, RUN, 0, 3);   // 2 skipped
        deliver(r, RUN, 0, 2);   // late: already given up on
        deliver(r, RUN, 0, 4);

        assertThat(r.received()).isEqualTo(4);
        assertThat(r.duplicates()).isEqualTo(2);
        assertThat(r.gaps()).isEqualTo(1);
    }

    @Test
    @DisplayName("messages of another run, of an unknown publisher or too short are not counted")
    void foreign() {
        Receiver r = new Receiver(run, publishers, false, null);
        deliver(r, RUN + 1, 0, 0);
        deliver(r, RUN, 7, 0);
        ByteBuf shortOne = Unpooled.buffer(8).writeLong(1);
        try {
            r.onPayload(shortOne, 0, 8);
        } finally {
            shortOne.release();
        }

        assertThat(r.received()).isZero();
        assertThat(r.foreign()).isEqualTo(3);
    }

    @Test
    @DisplayName("latency is recorded only while the run measures")
    void latencyOnlyWhileMeasuring() {
        Histogram h = new Histogram(3);
        Receiver r = new Receiver(run, publishers, false, h);
        deliver(r, RUN, 0, 0);
        run.measuring(true);
        deliver(r, RUN, 0, 1);
        deliver(r, RUN, 0, 2);
        run.measuring(false);
        deliver(r, RUN, 0, 3);

        assertThat(h.getTotalCount()).isEqualTo(2);
        assertThat(r.received()).isEqualTo(4);
    }
}
