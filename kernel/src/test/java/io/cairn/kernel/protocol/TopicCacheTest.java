package io.cairn.kernel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TopicCacheTest {

    private final TopicCache cache = new TopicCache();

    /** {@code topic} at offset 3 of a buffer, as inside a packet. */
    private static ByteBuf inPacket(byte[] topic) {
        return Unpooled.buffer().writeBytes(new byte[] {0x30, 0x7f, 0x00}).writeBytes(topic).writeByte(0x55);
    }

    private String lookUp(String topic) throws CharacterCodingException {
        byte[] bytes = topic.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = inPacket(bytes);
        try {
            String found = cache.find(buf, 3, bytes.length);
            if (found == null) {
                found = cache.decode(buf, 3, bytes.length);
                cache.store(found);
            }
            assertThat(cache.utf8()).isEqualTo(bytes);
            return found;
        } finally {
            buf.release();
        }
    }

    @Test
    void manyTopicsOfTheSameLengthNeverReturnEachOthersName() throws Exception {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 100; i++) {
                String topic = String.format("sensors/%03d/temp", i);
                assertThat(lookUp(topic)).isEqualTo(topic);
            }
        }
    }

    @Test
    void aRepeatedTopicIsFoundWithoutDecodingAgain() throws Exception {
        String first = lookUp("a/b/ü");
        byte[] bytes = "a/b/ü".getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = inPacket(bytes);
        try {
            assertThat(cache.find(buf, 3, bytes.length)).isSameAs(first);
        } finally {
            buf.release();
        }
    }

    @Test
    void aNameThatWasNeverStoredIsNotFound() throws Exception {
        byte[] bytes = "x/y".getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = inPacket(bytes);
        try {
            cache.find(buf, 3, bytes.length);
            cache.decode(buf, 3, bytes.length); // decoded but refused by validation: not stored
            assertThat(cache.find(buf, 3, bytes.length)).isNull();
        } finally {
            buf.release();
        }
    }

    @Test
    void illFormedUtf8IsRefused() {
        byte[] surrogate = {'a', '/', (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        ByteBuf buf = inPacket(surrogate);
        try {
            cache.find(buf, 3, surrogate.length);
            assertThatThrownBy(() -> cache.decode(buf, 3, surrogate.length))
                    .isInstanceOf(CharacterCodingException.class);
        } finally {
            buf.release();
        }
    }
}
