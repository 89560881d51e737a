package io.cairn.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Splits a byte stream into MQTT packets without decoding them: reads the fixed header and the remaining
 * length (1 to 4 bytes, MQTT 3.1.1 section 2.2.3) and hands each complete packet to a {@link FrameListener} in
 * place. Bytes of an incomplete packet are kept in one pooled buffer until the rest arrives; nothing is
 * allocated while reads contain whole packets.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop. {@link #close()} MUST be called
 * when the connection ends so the kept bytes are released.
 */
final class FrameParser {

    /** The largest remaining length MQTT can express (four length bytes). */
    static final int MAX_REMAINING_LENGTH = 268_435_455;

    private static final int MIN_CUMULATION = 1024;

    private final FrameListener listener;
    private ByteBuf cumulation;

    FrameParser(FrameListener listener) {
        this.listener = listener;
    }

    /**
     * Parses every complete packet of what was kept plus {@code in}; the caller keeps ownership of {@code in}
     * (it is read, never released here).
     *
     * @throws MalformedFrameException if a remaining length has more than four bytes
     */
    void feed(ByteBuf in, ByteBufAllocator alloc) {
        if (cumulation == null) {
            parse(in);
            if (in.isReadable()) {
                cumulation = alloc.buffer(Math.max(MIN_CUMULATION, in.readableBytes()));
                cumulation.writeBytes(in);
            }
            return;
        }
        cumulation.writeBytes(in);
        parse(cumulation);
        if (!cumulation.isReadable()) {
            cumulation.release();
            cumulation = null;
        } else {
            cumulation.discardSomeReadBytes();
        }
    }

    /** The number of bytes kept of an incomplete packet. */
    int pendingBytes() {
        return cumulation == null ? 0 : cumulation.readableBytes();
    }

    /** Releases the bytes kept of an incomplete packet. */
    void close() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    private void parse(ByteBuf buf) {
        while (true) {
            int start = buf.readerIndex();
            int readable = buf.writerIndex() - start;
            if (readable < 2) {
                return;
            }
            int remaining = 0;
            int multiplier = 1;
            int index = start + 1;
            int lengthEnd = start + Math.min(readable, 5);
            boolean complete = false;
            while (index < lengthEnd) {
                int b = buf.getByte(index++);
                remaining += (b & 0x7f) * multiplier;
                if ((b & 0x80) == 0) {
                    complete = true;
                    break;
                }
                multiplier <<= 7;
            }
            if (!complete) {
                if (index - start - 1 >= 4) {
                    throw new MalformedFrameException("remaining length longer than four bytes");
                }
                return;
            }
            if (readable < index - start + remaining) {
                return;
            }
            listener.onFrame(buf.getByte(start) & 0xff, buf, index, remaining);
            buf.readerIndex(index + remaining);
        }
    }

    /** A packet whose fixed header is not valid MQTT; the connection cannot continue. */
    static final class MalformedFrameException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedFrameException(String message) {
            super(message);
        }
    }
}
