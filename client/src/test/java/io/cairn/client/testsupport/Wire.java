package io.cairn.client.testsupport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Splits the raw bytes a client sent into MQTT packets, for byte-exact assertions. */
public final class Wire {

    private Wire() {
    }

    /** The whole packets in {@code bytes}, in order (a trailing partial packet is left out). */
    public static List<byte[]> packets(byte[] bytes) {
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            int start = i;
            i++;
            int length = 0;
            int multiplier = 1;
            int b;
            do {
                if (i >= bytes.length) {
                    return out;
                }
                b = bytes[i++] & 0xFF;
                length += (b & 0x7F) * multiplier;
                multiplier *= 128;
            } while ((b & 0x80) != 0);
            if (i + length > bytes.length) {
                return out;
            }
            i += length;
            out.add(Arrays.copyOfRange(bytes, start, i));
        }
        return out;
    }

    /** The packets whose first byte's type nibble is {@code type} (e.g. 3 for PUBLISH). */
    public static List<byte[]> packetsOfType(byte[] bytes, int type) {
        return packets(bytes).stream().filter(p -> (p[0] & 0xF0) >> 4 == type).toList();
    }

    /** Bytes from ints, for fixtures written as {@code bytes(0x10, 0x0D, ...)}. */
    public static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    public static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
