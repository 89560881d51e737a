package io.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameParserTest {

    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private final List<String> frames = new ArrayList<>();
    private final FrameParser parser = new FrameParser((header, buf, index, length) -> {
        byte[] body = new byte[length];
        buf.getBytes(index, body);
        frames.add(Integer.toHexString(header) + ":" + length + ":" + checksum(body));
    });

    @AfterEach
    void releaseKeptBytes() {
        parser.close();
    }

    private static int checksum(byte[] body) {
        int sum = 0;
        for (byte b : body) {
            sum = sum * 31 + b;
        }
        return sum;
    }

    /** A packet of type/flags {@code header} with {@code length} body bytes 0, 1, 2, ... */
    private static byte[] packet(int header, int length) {
        ByteBuf fixedHeader = ALLOC.heapBuffer(5);
        try {
            fixedHeader.writeByte(header);
            Packets.writeRemainingLength(fixedHeader, length);
            int headerLength = fixedHeader.readableBytes();
            byte[] bytes = new byte[headerLength + length];
            fixedHeader.readBytes(bytes, 0, headerLength);
            for (int i = 0; i < length; i++) {
                bytes[headerLength + i] = (byte) i;
            }
            return bytes;
        } finally {
            fixedHeader.release();
        }
    }

    private static String expected(int header, int length) {
        byte[] body = new byte[length];
        for (int i = 0; i < length; i++) {
            body[i] = (byte) i;
        }
        return Integer.toHexString(header) + ":" + length + ":" + checksum(body);
    }

    private void feed(byte[] bytes, int from, int to) {
        ByteBuf in = ALLOC.directBuffer(Math.max(1, to - from));
        try {
            in.writeBytes(bytes, from, to - from);
            parser.feed(in, ALLOC);
        } finally {
            in.release();
        }
    }

    @Test
    @DisplayName("several packets in one read are each delivered, in order")
    void severalPacketsInOneRead() {
        byte[] a = {(byte) 0xd0, 0x00};                 // PINGRESP, remaining length 0
        byte[] b = {0x40, 0x02, 0x00, 0x07};             // PUBACK, remaining length 2, packet id 7
        byte[] c = packet(0x30, 10);                     // PUBLISH at QoS 0, 10 body bytes
        byte[] all = concat(a, b, c);

        feed(all, 0, all.length);

        assertThat(frames).containsExactly("d0:0:0", "40:2:7", expected(0x30, 10));
        assertThat(parser.pendingBytes()).isZero();
    }

    @Test
    @DisplayName("a packet split across reads is delivered once, when its last byte arrives")
    void packetSplitAcrossReads() {
        byte[] p = packet(0x32, 300);                    // PUBLISH at QoS 1, two length bytes
        feed(p, 0, 1);                                   // the type byte only
        feed(p, 1, 2);                                   // half of the remaining length
        feed(p, 2, 150);
        assertThat(frames).isEmpty();
        assertThat(parser.pendingBytes()).isEqualTo(150);

        feed(p, 150, p.length);

        assertThat(frames).containsExactly(expected(0x32, 300));
        assertThat(parser.pendingBytes()).isZero();
    }

    @Test
    @DisplayName("every split point of two packets gives the same two packets")
    void everySplitPoint() {
        byte[] all = concat(packet(0x30, 130), packet(0x40, 2));
        for (int split = 0; split <= all.length; split++) {
            frames.clear();
            feed(all, 0, split);
            feed(all, split, all.length);
            assertThat(frames).as("split at %d", split).containsExactly(expected(0x30, 130), expected(0x40, 2));
            assertThat(parser.pendingBytes()).isZero();
        }
    }

    @ParameterizedTest(name = "remaining length {0}")
    @ValueSource(ints = {0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152})
    @DisplayName("remaining lengths of one to four bytes are decoded at their boundaries")
    void remainingLengthBoundaries(int length) {
        byte[] p = packet(0x30, length);
        assertThat(p.length - 1 - length).as("length bytes").isEqualTo(Packets.remainingLengthBytes(length));

        int chunk = 65_536;
        for (int from = 0; from < p.length; from += chunk) {
            feed(p, from, Math.min(p.length, from + chunk));
        }

        assertThat(frames).containsExactly(expected(0x30, length));
    }

    @Test
    @DisplayName("a remaining length with a fifth continuation byte is malformed")
    void fiveLengthBytesAreMalformed() {
        byte[] bad = {0x30, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};

        assertThatThrownBy(() -> feed(bad, 0, bad.length)).isInstanceOf(FrameParser.MalformedFrameException.class);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
