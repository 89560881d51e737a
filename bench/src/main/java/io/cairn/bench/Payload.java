package io.cairn.bench;

import io.netty.buffer.ByteBuf;

/**
 * The generator's payload header: run id, publisher id, per-publisher sequence number and send time
 * ({@link System#nanoTime()}), big-endian, followed by filler up to {@code --size}. Messages whose run id is
 * not this run's are not counted.
 */
final class Payload {

    /** The bytes the header takes; {@code --size} may not be smaller. */
    static final int HEADER_BYTES = 24;

    static final int RUN_OFFSET = 0;
    static final int PUBLISHER_OFFSET = 4;
    static final int SEQUENCE_OFFSET = 8;
    static final int TIMESTAMP_OFFSET = 16;

    private Payload() {
    }

    /** The run id at {@code index}. */
    static int runId(ByteBuf buf, int index) {
        return buf.getInt(index + RUN_OFFSET);
    }

    /** The publisher id at {@code index}. */
    static int publisher(ByteBuf buf, int index) {
        return buf.getInt(index + PUBLISHER_OFFSET);
    }

    /** The sequence number at {@code index}. */
    static long sequence(ByteBuf buf, int index) {
        return buf.getLong(index + SEQUENCE_OFFSET);
    }

    /** The send time at {@code index}, in {@link System#nanoTime()} units. */
    static long timestamp(ByteBuf buf, int index) {
        return buf.getLong(index + TIMESTAMP_OFFSET);
    }
}
