package io.cairn.kernel.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the MQTT 3.1.1 wire primitives (§1.5 data representation, §2.2.3 remaining length) for hand-built
 * test packets. Nothing here validates its input: tests use it to build malformed packets on purpose.
 */
public final class Wire {

    /** The largest value the four-byte remaining-length encoding can carry (§2.2.3). */
    public static final int MAX_REMAINING_LENGTH = 268_435_455;

    private Wire() {
    }

    /** A 16-bit unsigned integer, most significant byte first (§1.5.2). */
    public static byte[] u16(int value) {
        return new byte[] {(byte) (value >>> 8), (byte) value};
    }

    /** {@code s} as a UTF-8 encoded string: two length bytes, then the UTF-8 bytes (§1.5.3). */
    public static byte[] utf8(String s) {
        return lengthPrefixed(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code raw} with a two-byte length prefix: a UTF-8 string field whose bytes the caller chose (possibly
     * ill-formed), or binary data such as a will message or password.
     */
    public static byte[] lengthPrefixed(byte[] raw) {
        return concat(u16(raw.length), raw);
    }

    /**
     * The variable-length encoding of {@code value} (§2.2.3): 7 bits per byte, low bits first, the top bit set
     * on every byte but the last.
     */
    public static byte[] remainingLength(int value) {
        if (value < 0 || value > MAX_REMAINING_LENGTH) {
            throw new IllegalArgumentException("remaining length out of range: " + value);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(4);
        int x = value;
        do {
            int digit = x % 128;
            x /= 128;
            out.write(x > 0 ? digit | 0x80 : digit);
        } while (x > 0);
        return out.toByteArray();
    }

    /** The byte arrays one after the other. */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Bytes from int literals, so fixtures can be written as {@code bytes(0x10, 0x0C, ...)} without casts. */
    public static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** The bytes in hexadecimal, space separated, for failure messages. */
    public static String hex(byte[] bytes, int limit) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(bytes.length, limit);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02X", bytes[i] & 0xFF));
        }
        if (n < bytes.length) {
            sb.append(" ... (").append(bytes.length).append(" bytes)");
        }
        return sb.toString();
    }
}
