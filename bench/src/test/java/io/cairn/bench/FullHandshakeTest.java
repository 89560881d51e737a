package io.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import javax.net.ssl.SSLEngine;

/**
 * {@code --tls} makes every connection a full handshake, so that {@code conns} counts full handshakes: an OpenSSL
 * server that resumes sessions (session ids in TLS 1.2, tickets in TLS 1.2 and 1.3) resumes none of the tool's
 * connections (its engine's package-private {@code isSessionReused()}, read reflectively), while a client that keeps sessions (the control) resumes on its second connection. The server
 * answers any bytes with one CONNACK, which is all {@code conns} needs.
 */
class FullHandshakeTest {

    /** CONNACK: type 2, remaining length 2, no session present, return code 0 (accepted). */
    private static final byte[] CONNACK = {0x20, 0x02, 0x00, 0x00};

    @TempDir
    static Path dir;

    private static EventLoopGroup group;
    private static Channel server;
    private static Path caFile;
    private static SslContext serverContext;
    private static final List<String> handshakes = new CopyOnWriteArrayList<>();
    private static final List<Boolean> reused = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        Pki.Issued ca = Pki.ca("handshake test CA");
        Pki.Issued cert = ca.server("handshake test server");
        caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        serverContext = SslContextBuilder.forServer(cert.writeCertificate(dir.resolve("server.pem")).toFile(),
                        cert.writeKey(dir.resolve("server.key")).toFile())
                .sslProvider(SslProvider.OPENSSL).protocols("TLSv1.3", "TLSv1.2").build();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(serverContext.newHandler(ch.alloc()), new ConnackOnce());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.close().sync();
        }
        if (group != null) {
            Runs.shutdown(group);
        }
    }

    @BeforeEach
    void clear() {
        handshakes.clear();
        reused.clear();
    }

    /** Whether the server's OpenSSL engine resumed a session in this handshake. */
    private static boolean reused(SSLEngine engine) {
        try {
            Method m = engine.getClass().getSuperclass().getDeclaredMethod("isSessionReused");
            m.setAccessible(true);
            return (Boolean) m.invoke(engine);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("Netty's OpenSSL engine no longer has isSessionReused(): " + e, e);
        }
    }

    private static int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    /** Records each completed handshake's protocol; answers the first bytes with CONNACK. */
    private static final class ConnackOnce extends ChannelInboundHandlerAdapter {
        private boolean answered;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
                SSLEngine engine = ctx.pipeline().get(SslHandler.class).engine();
                reused.add(reused(engine));
                handshakes.add(engine.getSession().getProtocol());
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            if (!answered) {
                answered = true;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(CONNACK));
            }
        }
    }

    @ParameterizedTest(name = "client provider {0}, {1}")
    @CsvSource({"JDK, TLSv1.2", "OPENSSL, TLSv1.2", "JDK, TLSv1.3", "OPENSSL, TLSv1.3"})
    @DisplayName("control: a client that keeps its session (host and port known) resumes it on its second connection")
    void controlClientResumes(SslProvider provider, String protocol) throws Exception {
        SslContext client = SslContextBuilder.forClient().sslProvider(provider).protocols(protocol)
                .trustManager(caFile.toFile()).build();
        for (int i = 0; i < 2; i++) {
            CompletableFuture<Void> answered = new CompletableFuture<>();
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast(client.newHandler(c.alloc(), "127.0.0.1", port()),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            ReferenceCountUtil.release(msg);
                                            answered.complete(null);
                                        }
                                    });
                        }
                    })
                    .connect("127.0.0.1", port()).sync().channel();
            // TLS 1.3 tickets come after the handshake, before the server's first data: read that data, and the
            // client holds a ticket to resume with
            ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) 0xe0, 0x00})).sync();
            answered.get(10, TimeUnit.SECONDS);
            ch.close().sync();
        }
        assertThat(handshakes).containsExactly(protocol, protocol);
        assertThat(reused).as("the second handshake resumed the first session").containsExactly(false, true);
    }

    @ParameterizedTest(name = "client provider {0}, {1}")
    @CsvSource({"jdk, TLSv1.2", "openssl, TLSv1.2", "jdk, TLSv1.3", "openssl, TLSv1.3"})
    @DisplayName("conns --tls: every connection is a full handshake with a session of its own")
    void everyConnectionIsAFullHandshake(String provider, String protocol) {
        int n = 12;
        BenchRun run = BenchRun.of("conns", "--port", String.valueOf(port()), "--clients", String.valueOf(n),
                "--connect-concurrency", "1", "--hold", "0", "--warmup", "0", "--threads", "2", "--tls", "--cafile",
                caFile.toString(), "--tls-protocol", protocol, "--tls-provider", provider);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.json().get("tls_protocol").getAsString()).isEqualTo(protocol);
        assertThat(handshakes).as("a handshake per connection").hasSize(n);
        assertThat(reused).as("handshakes that resumed a session").hasSize(n).containsOnly(false);
    }
}
