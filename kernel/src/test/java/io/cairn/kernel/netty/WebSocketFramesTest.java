package io.cairn.kernel.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The frame adapter alone, in an {@link EmbeddedChannel}. */
class WebSocketFramesTest {

    private static ByteBuf bytes(int... values) {
        ByteBuf buf = Unpooled.buffer(values.length);
        for (int v : values) {
            buf.writeByte(v);
        }
        return buf;
    }

    private static byte[] read(ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        buf.release();
        return out;
    }

    @Test
    @DisplayName("binary and continuation frames go on as their contents, in order; an empty frame is dropped")
    void inboundFramesToBytes() {
        EmbeddedChannel channel = new EmbeddedChannel(WebSocketFrames.INSTANCE);

        channel.writeInbound(new BinaryWebSocketFrame(false, 0, bytes(0x10, 0x0F)));  // CONNECT's fixed header
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, bytes(0x00, 0x04))); // protocol name length
        channel.writeInbound(new BinaryWebSocketFrame(Unpooled.EMPTY_BUFFER));

        assertThat(read(channel.readInbound())).containsExactly(0x10, 0x0F);
        assertThat(read(channel.readInbound())).containsExactly(0x00, 0x04);
        assertThat(channel.<Object>readInbound()).isNull();
        assertFalse(channel.finish());
    }

    @Test
    @DisplayName("an outbound buffer goes out as one binary frame; an empty buffer and other messages pass as they are")
    void outboundBytesToFrames() {
        EmbeddedChannel channel = new EmbeddedChannel(WebSocketFrames.INSTANCE);

        channel.writeOutbound(bytes(0x20, 0x02, 0x00, 0x00)); // CONNACK, accepted
        channel.writeOutbound(Unpooled.EMPTY_BUFFER);
        channel.writeOutbound(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));

        BinaryWebSocketFrame frame = channel.readOutbound();
        assertThat(frame.isFinalFragment()).isTrue();
        assertThat(read(frame.content())).containsExactly(0x20, 0x02, 0x00, 0x00);
        assertThat(channel.<Object>readOutbound()).isSameAs(Unpooled.EMPTY_BUFFER);
        CloseWebSocketFrame close = channel.readOutbound();
        close.release();
        assertFalse(channel.finish());
    }

    @Test
    @DisplayName("[MQTT-6.0.0-1] a text frame is dropped, answered with close status 1003, and the channel closed")
    void textFrameCloses() {
        EmbeddedChannel channel = new EmbeddedChannel(WebSocketFrames.INSTANCE);

        channel.writeInbound(new TextWebSocketFrame("hello"));

        assertThat(channel.<Object>readInbound()).isNull();
        CloseWebSocketFrame close = channel.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1003);
        close.release();
        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finish());
    }

    @Test
    @DisplayName("a corrupted-frame exception (Netty has sent its close frame) closes the channel and goes no further")
    void corruptedFrameCloses() {
        EmbeddedChannel channel = new EmbeddedChannel(WebSocketFrames.INSTANCE);

        channel.pipeline().fireExceptionCaught(new CorruptedWebSocketFrameException(
                WebSocketCloseStatus.MESSAGE_TOO_BIG, "Max frame length of 1024 has been exceeded."));

        assertThat(channel.isOpen()).isFalse();
        channel.checkException(); // nothing reached the end of the pipeline
        assertFalse(channel.finish());
    }
}
