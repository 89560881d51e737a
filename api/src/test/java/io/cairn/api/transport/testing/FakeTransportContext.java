package io.cairn.api.transport.testing;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.transport.FrontHandlers;
import io.cairn.api.transport.ListenerRegistration;
import io.cairn.api.transport.TransportContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the kernel, for the tests of transport plugins: real NIO event loops, and a "pipeline" that greets
 * each connection with the name of the listener that accepted it and then echoes what it reads, so a test sees which
 * listener a socket reached and whether a connection is still served. {@link #bind} binds a socket of its own for
 * each call; a hand-over closes it (the real kernel's hand-over is tested in the kernel and in Felix). A
 * {@link #quiet()} one greets nobody: it writes nothing before it reads, like the kernel, which writes nothing before
 * a CONNECT (a WebSocket transport must send nothing before its upgrade). {@link #webSocketFrames()} is what the
 * test sets with {@link #webSocketFrames(ChannelHandler)}, typically the kernel's own.
 */
public final class FakeTransportContext implements TransportContext, AutoCloseable {

    private final EventLoopGroup parent = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup child = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<String, ListenerInfo> listeners = new ConcurrentHashMap<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final Map<String, ListenerSecurity> securities = new ConcurrentHashMap<>();
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    private final boolean greet;
    private volatile ChannelHandler webSocketFrames;

    /** The name of the stand-in for the kernel's handlers in each pipeline. */
    public static final String KERNEL_HANDLER = "fake-kernel";

    /** A stand-in that greets each connection with its listener's name, then echoes. */
    public FakeTransportContext() {
        this(true);
    }

    private FakeTransportContext(boolean greet) {
        this.greet = greet;
    }

    /** A stand-in that only echoes: it writes nothing before it has read something. */
    public static FakeTransportContext quiet() {
        return new FakeTransportContext(false);
    }

    /** Sets what {@link #webSocketFrames()} returns; returns this. */
    public FakeTransportContext webSocketFrames(ChannelHandler handler) {
        this.webSocketFrames = handler;
        return this;
    }

    @Override
    public ChannelHandler webSocketFrames() {
        ChannelHandler h = webSocketFrames;
        if (h == null) {
            throw new IllegalStateException("the test set no WebSocket frame handler (webSocketFrames(handler))");
        }
        return h;
    }

    /** The channels handed to {@link #initPipeline}, in order. */
    public List<Channel> channels() {
        return List.copyOf(channels);
    }

    @Override
    public EventLoopGroup parentGroup() {
        return parent;
    }

    @Override
    public EventLoopGroup childGroup() {
        return child;
    }

    @Override
    public ServerBootstrap newServerBootstrap() {
        return new ServerBootstrap().group(parent, child).channel(NioServerSocketChannel.class);
    }

    @Override
    public void initPipeline(Channel channel, String listener) {
        channels.add(channel);
        channel.pipeline().addLast(KERNEL_HANDLER, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                if (greet) {
                    ctx.writeAndFlush(Unpooled.copiedBuffer(listener + "\n", StandardCharsets.US_ASCII));
                }
                ctx.fireChannelActive();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.writeAndFlush(msg);
            }
        });
    }

    @Override
    public ListenerRegistration registerListener(ListenerInfo listener) {
        return registerListener(listener, ListenerSecurity.DEFAULT);
    }

    @Override
    public ListenerRegistration registerListener(ListenerInfo listener, ListenerSecurity security) {
        if (listeners.putIfAbsent(listener.name(), listener) != null) {
            throw new IllegalStateException("a listener named " + listener.name() + " is already registered");
        }
        events.add("open " + listener.uri());
        securities.put(listener.name(), security);
        return new ListenerRegistration() {
            private boolean closed;

            @Override
            public ListenerInfo listener() {
                return listener;
            }

            @Override
            public void handOver(Duration wait, Duration drain) {
                close();
            }

            @Override
            public synchronized void updateSecurity(ListenerSecurity changed) {
                securities.put(listener.name(), changed);
                events.add("security " + listener.name());
            }

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    listeners.remove(listener.name(), listener);
                    events.add("closed " + listener.uri());
                }
            }
        };
    }

    @Override
    public ListenerRegistration bind(ListenerInfo requested, int backlog, ListenerSecurity security,
                                     FrontHandlers front) throws BindException {
        ChannelFuture bound = newServerBootstrap()
                .option(ChannelOption.SO_BACKLOG, backlog)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) throws Exception {
                        front.addTo(channel);
                        initPipeline(channel, requested.name());
                    }
                })
                .bind(requested.host(), requested.port())
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            bound.channel().close();
            BindException e = new BindException("Listener " + requested.name() + " cannot bind " + requested.host()
                    + ':' + requested.port() + ": " + bound.cause().getMessage());
            e.initCause(bound.cause());
            throw e;
        }
        Channel server = bound.channel();
        InetSocketAddress local = (InetSocketAddress) server.localAddress();
        ListenerInfo info = new ListenerInfo(requested.name(), requested.scheme(),
                local.getAddress().getHostAddress(), local.getPort());
        ListenerRegistration registered;
        try {
            registered = registerListener(info, security);
        } catch (RuntimeException e) {
            server.close().syncUninterruptibly();
            throw e;
        }
        return new ListenerRegistration() {
            @Override
            public ListenerInfo listener() {
                return info;
            }

            @Override
            public void updateSecurity(ListenerSecurity changed) {
                registered.updateSecurity(changed);
            }

            @Override
            public void handOver(Duration wait, Duration drain) {
                events.add("handed over " + info.uri());
                close();
            }

            @Override
            public void close() {
                registered.close();
                server.close().syncUninterruptibly();
            }
        };
    }

    /** The security each listener was registered or last updated with, by name. */
    public Map<String, ListenerSecurity> securities() {
        return Map.copyOf(securities);
    }

    /** The listeners registered now, by name. */
    public Map<String, ListenerInfo> listeners() {
        return Map.copyOf(listeners);
    }

    /** Every registration and unregistration so far, in order ("open mqtt://..." / "closed mqtt://..."). */
    public List<String> events() {
        return List.copyOf(events);
    }

    @Override
    public void close() {
        parent.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        child.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
