package io.cairn.metrics.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side: one Netty NIO thread of its own (the broker's event loops stay the broker's), serving
 * {@code GET}/{@code HEAD} on one path with a scrape of a registry, in the Prometheus text format 0.0.4 or, when the
 * scraper asks for it in {@code Accept}, OpenMetrics 1.0. Other paths get 404, other methods 405.
 */
final class MetricsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    private static final int MAX_REQUEST = 8 * 1024;
    private static final int IDLE_SECONDS = 60;

    private final EventLoopGroup group;
    private final Channel channel;

    private MetricsServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds {@code host:port} and serves {@code path} from {@code registry}.
     *
     * @throws IOException if the address cannot be bound (in use, not an address of this machine, unknown name)
     */
    static MetricsServer start(MetricsSettings settings, PrometheusRegistry registry) throws IOException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("cairn-metrics", true),
                NioIoHandler.newFactory());
        Scrape scrape = new Scrape(settings.path(), registry);
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS),
                                new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST), new ScrapeHandler(scrape));
                    }
                });
        try {
            Channel channel = b.bind(settings.host(), settings.port()).syncUninterruptibly().channel();
            return new MetricsServer(group, channel);
        } catch (Exception e) { // syncUninterruptibly rethrows the bind's checked exception (BindException...) as is
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.toString(), e);
        }
    }

    /** The address bound (the actual port when 0 was asked for). */
    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Closes the socket and stops the thread; returns once the port is free. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What every connection serves: the path and the registry. */
    private record Scrape(String path, PrometheusRegistry registry) {
    }

    private static final class ScrapeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

        private static final ExpositionFormatWriter PROMETHEUS = PrometheusTextFormatWriter.create();
        private static final ExpositionFormatWriter OPEN_METRICS = OpenMetricsTextFormatWriter.create();

        private final Scrape scrape;

        ScrapeHandler(Scrape scrape) {
            this.scrape = scrape;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (!request.decoderResult().isSuccess()) {
                respond(ctx, text(HttpResponseStatus.BAD_REQUEST, "Bad request\n"), false);
                return;
            }
            String path = new QueryStringDecoder(request.uri()).path();
            if (!path.equals(scrape.path())) {
                respond(ctx, text(HttpResponseStatus.NOT_FOUND, "Not found: the metrics are at " + scrape.path()
                        + "\n"), keepAlive);
                return;
            }
            HttpMethod method = request.method();
            if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
                FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Only GET and HEAD\n");
                r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
                respond(ctx, r, keepAlive);
                return;
            }
            String accept = request.headers().get(HttpHeaderNames.ACCEPT);
            ExpositionFormatWriter writer = accept != null && OPEN_METRICS.accepts(accept) ? OPEN_METRICS : PROMETHEUS;
            ByteBuf body = ctx.alloc().buffer(16 * 1024);
            try (OutputStream out = new ByteBufOutputStream(body)) {
                writer.write(out, scrape.registry().scrape());
            } catch (IOException | RuntimeException e) {
                body.release();
                LOG.warn("Metrics scrape failed", e);
                respond(ctx, text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Scrape failed: " + e + "\n"), false);
                return;
            }
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType());
            HttpUtil.setContentLength(r, body.readableBytes());
            if (method.equals(HttpMethod.HEAD)) {
                body.clear(); // the length of the GET answer, no body
            }
            respond(ctx, r, keepAlive);
        }

        private static FullHttpResponse text(HttpResponseStatus status, String message) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(message, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(r, r.content().readableBytes());
            return r;
        }

        private static void respond(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
            if (keepAlive) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(r);
            } else {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a scraper that went away or stayed silent past the timeout: nothing to report
            ctx.close();
        }
    }
}
