package io.cairn.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a run puts in front of each connection's {@link MqttConnection}: nothing (plain TCP), TLS, WebSocket or
 * both, and the one event that says the front is ready for CONNECT ({@link #READY}). Built once per run; shared by
 * all its connections. Thread-safe.
 *
 * <p>Pipeline, head to tail: {@code tls} (SslHandler), {@code http} (HttpClientCodec), {@code http-aggregator},
 * {@code ws} (WebSocketClientProtocolHandler), {@code ws-frames} ({@link WebSocketFrames}), {@code front-ready},
 * then the MQTT connection.
 */
final class Front {

    /** The user event fired to the MQTT connection once the TLS and WebSocket handshakes are done. */
    static final Object READY = new Object() {
        @Override
        public String toString() {
            return "FRONT_READY";
        }
    };

    /** The WebSocket subprotocol of MQTT (MQTT 5.0 section 6). */
    static final String MQTT_SUBPROTOCOL = "mqtt";

    private final TlsClient tls;
    private final String wsPath;
    private final URI wsUri;
    private final Set<String> negotiated = ConcurrentHashMap.newKeySet();

    private Front(TlsClient tls, String wsPath, URI wsUri) {
        this.tls = tls;
        this.wsPath = wsPath;
        this.wsUri = wsUri;
    }

    /** Plain TCP: nothing in front, CONNECT at once. */
    static Front tcp() {
        return new Front(null, null, null);
    }

    /**
     * The front {@code options} ask for: TLS with {@code --tls}, WebSocket with {@code --ws}.
     *
     * @throws BenchException {@link BenchException#USAGE} if the TLS settings cannot be used (CA file, provider)
     */
    static Front of(BenchOptions options) {
        TlsClient tls = options.tls ? TlsClient.of(options) : null;
        URI uri = null;
        if (options.wsPath != null) {
            try {
                uri = new URI(tls != null ? "wss" : "ws", null, options.host, options.port, options.wsPath, null, null);
            } catch (URISyntaxException e) {
                throw new BenchException(BenchException.USAGE, "--ws " + options.wsPath + ": " + e.getMessage());
            }
        }
        return new Front(tls, options.wsPath, uri);
    }

    /** {@code tcp}, {@code tls}, {@code ws} or {@code wss}. */
    String transport() {
        if (wsUri != null) {
            return tls != null ? "wss" : "ws";
        }
        return tls != null ? "tls" : "tcp";
    }

    /** Whether CONNECT may go out as soon as the TCP connection is up. */
    boolean immediate() {
        return tls == null && wsUri == null;
    }

    /** The TLS side, or {@code null} without {@code --tls}. */
    TlsClient tls() {
        return tls;
    }

    /** The TLS protocols the connections negotiated so far, sorted and comma-separated; empty without TLS. */
    String negotiatedProtocols() {
        return String.join(",", new TreeSet<>(negotiated));
    }

    /** For the human summary: empty for plain TCP, else {@code " over wss /mqtt (OPENSSL TLSv1.3)"}. */
    String summary() {
        if (immediate()) {
            return "";
        }
        StringBuilder s = new StringBuilder(" over ").append(transport());
        if (wsPath != null) {
            s.append(' ').append(wsPath);
        }
        if (tls != null) {
            s.append(" (").append(tls.provider());
            String protocols = negotiatedProtocols();
            s.append(protocols.isEmpty() ? "" : " " + protocols).append(')');
        }
        return s.toString();
    }

    /** Adds the front handlers of a new channel to {@code pipeline}, in front of what follows. */
    void addTo(ChannelPipeline pipeline, String host, int port) {
        if (immediate()) {
            return;
        }
        if (tls != null) {
            pipeline.addLast("tls", tls.newHandler(pipeline.channel().alloc(), host));
        }
        if (wsUri != null) {
            WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(wsUri)
                    .subprotocol(MQTT_SUBPROTOCOL)
                    .version(WebSocketVersion.V13)
                    .customHeaders(new DefaultHttpHeaders())
                    .maxFramePayloadLength(FrameParser.MAX_REMAINING_LENGTH + 5)
                    .handshakeTimeoutMillis(MqttConnection.HANDSHAKE_TIMEOUT_MILLIS)
                    .build();
            pipeline.addLast("http", new HttpClientCodec());
            pipeline.addLast("http-aggregator", new HttpObjectAggregator(65_536));
            pipeline.addLast("ws", new WebSocketClientProtocolHandler(config));
            pipeline.addLast("ws-frames", WebSocketFrames.INSTANCE);
        }
        pipeline.addLast("front-ready", new Ready());
    }

    /**
     * Waits for the last handshake of the front (WebSocket if there is one, else TLS), notes the negotiated TLS
     * protocol, fires {@link #READY} and removes itself. A failed TLS handshake goes on as an exception.
     */
    private final class Ready extends ChannelInboundHandlerAdapter {

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (!done.isSuccess()) {
                    ctx.fireExceptionCaught(done.cause());
                    return;
                }
                if (wsUri == null) {
                    ready(ctx);
                }
                return;
            }
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                ready(ctx);
                return;
            }
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                ctx.fireExceptionCaught(new java.io.IOException("WebSocket handshake for " + wsUri
                        + " timed out after " + MqttConnection.HANDSHAKE_TIMEOUT_MILLIS / 1000 + " s"));
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void ready(ChannelHandlerContext ctx) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            if (ssl != null) {
                negotiated.add(ssl.engine().getSession().getProtocol());
            }
            ctx.fireUserEventTriggered(READY);
            ctx.pipeline().remove(this);
        }
    }
}
