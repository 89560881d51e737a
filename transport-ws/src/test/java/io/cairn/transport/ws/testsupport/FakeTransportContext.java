package io.cairn.transport.ws.testsupport;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.transport.ListenerRegistration;
import io.cairn.api.transport.TransportContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * (Adapted from transport-tls's tests.) A stand-in for the kernel: real NIO event loops, and a "pipeline" of one
 * handler that echoes the bytes it reads (so a test sees what reached the kernel and how it goes out again), with
 * every channel it was handed kept for inspection. It writes nothing before it reads: like the real kernel, which
 * writes nothing before a CONNECT, since nothing may go out before the WebSocket upgrade.
 */
public final class FakeTransportContext implements TransportContext, AutoCloseable {

    private final EventLoopGroup parent = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup child = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<String, ListenerInfo> listeners = new ConcurrentHashMap<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final Map<String, ListenerSecurity> securities = new ConcurrentHashMap<>();
    private final List<Channel> channels = new CopyOnWriteArrayList<>();

    /** The name of the echoing stand-in for the kernel's handlers. */
    public static final String KERNEL_HANDLER = "fake-kernel";

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
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.writeAndFlush(msg);
            }
        });
    }

    /** The channels handed to {@link #initPipeline}, in order. */
    public List<Channel> channels() {
        return List.copyOf(channels);
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
