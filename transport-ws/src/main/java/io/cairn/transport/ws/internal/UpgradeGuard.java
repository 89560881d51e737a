package io.cairn.transport.ws.internal;

import io.cairn.transport.ws.WsSettings;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the HTTP upgrade request before Netty's {@code WebSocketServerProtocolHandler} answers it, and leaves the
 * pipeline as soon as a request passes, so that no class of this bundle stays in an upgraded connection's pipeline.
 *
 * <p>A request for another path gets 404, one that is not a GET 405, one that is not a WebSocket upgrade 426, one
 * from a browser {@code Origin} the listener does not allow 403 (logged at INFO with listener, remote address and
 * origin), and one that offers none of the listener's sub-protocols 400 ([MQTT-6.0.0-3]: a client offers
 * {@code mqtt}). Each refusal closes the connection. A client that has not sent a complete upgrade request within
 * the upgrade timeout, counted from the TCP accept, is closed. One instance per connection.
 */
public final class UpgradeGuard extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeGuard.class);

    private final String listener;
    private final WsSettings settings;
    private ScheduledFuture<?> timeout;

    /**
     * @param listener the listener's name, for log lines
     * @param settings the path, origins, sub-protocols and upgrade timeout to enforce
     */
    public UpgradeGuard(String listener, WsSettings settings) {
        this.listener = listener;
        this.settings = settings;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            startTimer(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startTimer(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stopTimer();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopTimer();
        ctx.fireChannelInactive();
    }

    private void startTimer(ChannelHandlerContext ctx) {
        if (timeout != null) {
            return;
        }
        long millis = settings.upgradeTimeout().toMillis();
        timeout = ctx.executor().schedule(() -> {
            if (ctx.channel().isOpen()) {
                LOG.debug("Listener {}: {} sent no WebSocket upgrade within {} ms; closing", listener,
                        ctx.channel().remoteAddress(), millis);
                ctx.close();
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    private void stopTimer() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg); // nothing but a checked upgrade request may pass
            return;
        }
        String remote = String.valueOf(ctx.channel().remoteAddress());
        if (request.decoderResult().isFailure()) {
            refuse(ctx, request, HttpResponseStatus.BAD_REQUEST, "not an HTTP request that can be read");
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (!path.equals(settings.path())) {
            refuse(ctx, request, HttpResponseStatus.NOT_FOUND, "no WebSocket endpoint at " + path);
            return;
        }
        if (!HttpMethod.GET.equals(request.method())) {
            refuse(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "the WebSocket upgrade is a GET");
            return;
        }
        if (!request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || !request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            refuse(ctx, request, HttpResponseStatus.UPGRADE_REQUIRED,
                    "MQTT over WebSocket: send a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket)");
            return;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN,
                request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_ORIGIN));
        if (origin != null && !settings.allows(origin)) {
            LOG.info("Listener {} refused a WebSocket connection from {}: origin {} is not allowed", listener, remote,
                    origin);
            refuse(ctx, request, HttpResponseStatus.FORBIDDEN, "origin not allowed");
            return;
        }
        String offered = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "");
        List<String> protocols = Arrays.stream(offered.split(",")).map(String::strip).toList();
        if (protocols.stream().noneMatch(settings.subprotocols()::contains)) {
            refuse(ctx, request, HttpResponseStatus.BAD_REQUEST, "offer the WebSocket sub-protocol "
                    + String.join(" or ", settings.subprotocols()) + " (offered: '" + offered + "')");
            return;
        }
        stopTimer();
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(request); // to Netty's handshaker, which answers 101 and upgrades the pipeline
    }

    private void refuse(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String why) {
        LOG.debug("Listener {} refused a WebSocket upgrade from {} for {}: {} {}", listener,
                ctx.channel().remoteAddress(), request.uri(), status.code(), why);
        request.release();
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(why + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (status == HttpResponseStatus.UPGRADE_REQUIRED) {
            response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
