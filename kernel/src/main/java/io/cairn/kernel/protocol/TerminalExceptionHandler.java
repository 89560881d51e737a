package io.cairn.kernel.protocol;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every MQTT pipeline: an exception that gets here is a bug, not a client's fault. It is
 * logged once, with the connection it happened on, and the connection is closed.
 */
@Sharable
public final class TerminalExceptionHandler extends ChannelInboundHandlerAdapter {

    public static final TerminalExceptionHandler INSTANCE = new TerminalExceptionHandler();

    private static final Logger LOG = LoggerFactory.getLogger(TerminalExceptionHandler.class);

    private TerminalExceptionHandler() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ctx.channel().isOpen()) {
            LOG.error("Unexpected error on connection {}; closing it", ctx.channel(), cause);
            ctx.close();
        }
    }
}
