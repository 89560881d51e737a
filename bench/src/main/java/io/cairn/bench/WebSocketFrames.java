package io.cairn.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * MQTT over WebSocket (MQTT 5.0 section 6): outgoing bytes go as binary frames, the content of incoming binary and
 * continuation frames comes out as the byte stream the MQTT side parses (an MQTT packet may span frames, and a frame
 * may hold several packets). A text frame is a protocol error. Stateless and {@link Sharable}.
 */
@Sharable
final class WebSocketFrames extends ChannelDuplexHandler {

    static final WebSocketFrames INSTANCE = new WebSocketFrames();

    private WebSocketFrames() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            ctx.fireChannelRead(((WebSocketFrame) msg).content());
        } else if (msg instanceof WebSocketFrame frame) {
            String type = frame.getClass().getSimpleName();
            ReferenceCountUtil.release(msg);
            ctx.fireExceptionCaught(new CorruptedFrameException("the broker sent a " + type
                    + ": MQTT over WebSocket carries binary frames only (MQTT 5.0 section 6)"));
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg instanceof ByteBuf buf ? new BinaryWebSocketFrame(buf) : msg, promise);
    }
}
