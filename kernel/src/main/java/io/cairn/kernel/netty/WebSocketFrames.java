package io.cairn.kernel.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Between Netty's WebSocket handlers and the kernel's MQTT pipeline: the contents of inbound binary and continuation
 * frames go on as {@link ByteBuf}s, in order (the kernel's framer reassembles MQTT packets from a byte stream, so
 * a packet split across frames and several packets in one frame need nothing here), and every outbound non-empty
 * {@link ByteBuf} goes out as one {@link BinaryWebSocketFrame}. A text frame closes the connection with status 1003
 * ([MQTT-6.0.0-1]: only binary data frames carry MQTT). Ping, pong and close frames never get here: Netty's
 * {@code WebSocketServerProtocolHandler} answers them.
 *
 * <p>Stateless and {@link Sharable}: one {@link #INSTANCE} serves every connection. It is the kernel's, handed to
 * WebSocket transports by {@link io.cairn.api.transport.TransportContext#webSocketFrames()}, because it stays in each
 * connection's pipeline for the connection's life, and the pipelines of open connections must not hold classes of a
 * transport bundle that may be updated or removed.
 *
 * <p>A frame Netty's decoder rejects (larger than the maximum frame size: status 1009; a protocol violation: 1002)
 * has been answered with a close frame by Netty already; its exception ends here, with the connection closed,
 * instead of reaching the kernel's handler for unexpected errors.
 */
@ChannelHandler.Sharable
public final class WebSocketFrames extends ChannelDuplexHandler {

    /** The one instance. */
    public static final WebSocketFrames INSTANCE = new WebSocketFrames();

    private WebSocketFrames() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!ctx.channel().isActive()) {
            frame.release(); // the rest of a read batch after a text frame closed the connection
            return;
        }
        if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
            ByteBuf content = frame.content();
            if (content.isReadable()) {
                ctx.fireChannelRead(content); // hands the frame's reference on
            } else {
                frame.release();
            }
            return;
        }
        ReferenceCountUtil.release(frame);
        ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE,
                "MQTT is carried in binary frames only")).addListener(ChannelFutureListener.CLOSE);
        ctx.close();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            ctx.write(new BinaryWebSocketFrame(buf), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException) {
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }
}
