package io.cairn.kernel.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderException;

/**
 * Walks an MQTT 5 property block in place to find a property that appears twice. Every property a client may
 * send appears at most once per packet, but for User Property (MQTT 5.0 §2.2.2.2: "It is a Protocol Error to
 * include ... more than once"); Netty's decoder keeps the last of two silently, so the framer checks before it.
 */
final class PropertyScan {

    /** A packet that is well-formed but breaks a rule of the protocol: answered with reason 0x82. */
    static final class ProtocolErrorException extends DecoderException {
        ProtocolErrorException(String message) {
            super(message);
        }
    }

    private static final int USER_PROPERTY = 0x26;

    private PropertyScan() {
    }

    /**
     * The identifier of the first property that appears a second time in the block at {@code pos} (its Variable
     * Byte Integer length first), or -1 when there is none, or when the block is malformed or unknown ids make
     * it unreadable: the decoder then reports that.
     */
    static int duplicate(ByteBuf in, int pos, int end) {
        int length = 0;
        for (int n = 0; ; n++) {
            if (pos >= end || n == 4) {
                return -1;
            }
            int b = in.getUnsignedByte(pos++);
            length |= (b & 0x7F) << (7 * n);
            if ((b & 0x80) == 0) {
                break;
            }
        }
        int stop = pos + length;
        if (stop > end) {
            return -1;
        }
        long seen = 0;
        while (pos < stop) {
            int id = in.getUnsignedByte(pos++);
            int size = size(in, id, pos, stop);
            if (size < 0) {
                return -1;
            }
            if (id != USER_PROPERTY) {
                long bit = 1L << id;
                if ((seen & bit) != 0) {
                    return id;
                }
                seen |= bit;
            }
            pos += size;
        }
        return -1;
    }

    /** The bytes of the value of property {@code id} at {@code pos}, or -1 if unknown or past {@code stop}. */
    private static int size(ByteBuf in, int id, int pos, int stop) {
        int size;
        switch (id) {
            case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> size = 1;
            case 0x13, 0x21, 0x22, 0x23 -> size = 2;
            case 0x02, 0x11, 0x18, 0x27 -> size = 4;
            case 0x0B -> {
                size = 0;
                while (true) {
                    if (pos + size >= stop || size == 4) {
                        return -1;
                    }
                    if ((in.getUnsignedByte(pos + size++) & 0x80) == 0) {
                        break;
                    }
                }
            }
            case 0x03, 0x08, 0x12, 0x15, 0x1A, 0x1C, 0x1F, 0x09, 0x16 -> {
                if (pos + 2 > stop) {
                    return -1;
                }
                size = 2 + in.getUnsignedShort(pos);
            }
            case USER_PROPERTY -> {
                if (pos + 2 > stop) {
                    return -1;
                }
                int key = 2 + in.getUnsignedShort(pos);
                if (pos + key + 2 > stop) {
                    return -1;
                }
                size = key + 2 + in.getUnsignedShort(pos + key);
            }
            default -> {
                return -1;
            }
        }
        return pos + size <= stop ? size : -1;
    }
}
