package io.cairn.kernel.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The topic names a connection published to recently, so that a PUBLISH to one of them costs a comparison of
 * its bytes instead of a UTF-8 decode, a validation and three allocations. Direct-mapped: sixteen slots chosen
 * by a hash of the bytes; a miss replaces the slot. Holds only names that passed validation. One per
 * connection, used on its event loop only.
 */
final class TopicCache {

    private static final int SLOTS = 16;

    private final byte[][] utf8 = new byte[SLOTS][];
    private final String[] names = new String[SLOTS];
    private CharsetDecoder decoder;
    private int slot;

    /**
     * Looks up the topic in {@code in[from, from + length)}.
     *
     * @return the cached name, or {@code null} on a miss (then {@link #store} fills the slot)
     */
    String find(ByteBuf in, int from, int length) {
        int h = length;
        for (int i = from, end = from + length; i < end; i++) {
            h = 31 * h + in.getByte(i);
        }
        slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        byte[] cached = utf8[slot];
        if (cached == null || cached.length != length) {
            return null;
        }
        for (int i = 0; i < length; i++) {
            if (cached[i] != in.getByte(from + i)) {
                return null;
            }
        }
        return names[slot];
    }

    /** The UTF-8 bytes of the name the last {@link #find} returned; shared, never to be modified. */
    byte[] utf8() {
        return utf8[slot];
    }

    /**
     * Decodes the topic in {@code in[from, from + length)} as strict UTF-8: ill-formed sequences, including
     * encoded surrogates, are refused [MQTT-1.5.3-1].
     *
     * @return the name, whose bytes {@link #utf8()} then returns
     * @throws CharacterCodingException if the bytes are not well-formed UTF-8
     */
    String decode(ByteBuf in, int from, int length) throws CharacterCodingException {
        byte[] bytes = new byte[length];
        in.getBytes(from, bytes);
        if (decoder == null) {
            decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        String name = decoder.decode(ByteBuffer.wrap(bytes)).toString();
        utf8[slot] = bytes;
        names[slot] = null;
        return name;
    }

    /** Remembers the name last {@link #decode decoded}, once it has been validated. */
    void store(String name) {
        names[slot] = name;
    }
}
