package io.cairn.bench;

import io.netty.buffer.ByteBuf;

/** Receives the MQTT packets a {@link FrameParser} finds, in place in the read buffer. */
@FunctionalInterface
interface FrameListener {

    /**
     * Called once per complete packet on the connection's event loop. The implementation MUST read the body
     * with absolute getters only and MUST NOT keep or release {@code buf}: its content is valid for this call
     * only.
     *
     * @param header    the first byte of the fixed header (type in the high nibble, flags in the low one)
     * @param buf       the buffer holding the packet
     * @param bodyIndex the index of the first byte after the remaining-length field
     * @param bodyLength the remaining length
     */
    void onFrame(int header, ByteBuf buf, int bodyIndex, int bodyLength);
}
