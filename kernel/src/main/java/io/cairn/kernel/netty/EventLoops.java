package io.cairn.kernel.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's Netty event loops: one acceptor thread and the I/O threads that serve connections, on native
 * epoll where it loads and on NIO elsewhere. Transports borrow them; only the kernel shuts them down, so a
 * transport bundle that goes away leaves no thread behind.
 */
public final class EventLoops implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

    private final EventLoopGroup parent;
    private final EventLoopGroup child;
    private final EventLoopGroup local;
    private final Class<? extends ServerChannel> serverChannelType;
    private final boolean epoll;

    private EventLoops(EventLoopGroup parent, EventLoopGroup child, EventLoopGroup local,
                       Class<? extends ServerChannel> type, boolean epoll) {
        this.parent = parent;
        this.child = child;
        this.local = local;
        this.serverChannelType = type;
        this.epoll = epoll;
    }

    /**
     * Starts the event loops.
     *
     * @param ioThreads threads serving connections; 0 for one per core
     */
    public static EventLoops start(int ioThreads) {
        int threads = ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
        boolean epoll = Epoll.isAvailable();
        // FdMap: Netty's descriptor map makes closing many connections on one loop quadratic (see there)
        IoHandlerFactory factory = epoll ? FdMap.epollFactory() : NioIoHandler.newFactory();
        EventLoopGroup parent = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("cairn-accept", true),
                factory);
        EventLoopGroup child = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("cairn-io", true),
                factory);
        // in-process connections (bridges): Netty's local channels do not register with epoll or NIO loops
        EventLoopGroup local = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("cairn-bridge-io", true),
                LocalIoHandler.newFactory());
        if (!epoll) {
            LOG.info("Native epoll unavailable ({}); using NIO", String.valueOf(Epoll.unavailabilityCause()));
        }
        return new EventLoops(parent, child, local, epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class,
                epoll);
    }

    public EventLoopGroup parent() {
        return parent;
    }

    public EventLoopGroup child() {
        return child;
    }

    /** The loop of the kernel's side of in-process (local channel) connections. */
    public EventLoopGroup local() {
        return local;
    }

    public Class<? extends ServerChannel> serverChannelType() {
        return serverChannelType;
    }

    /** Whether native epoll is in use. */
    public boolean epoll() {
        return epoll;
    }

    /** Stops the groups and waits (bounded) for their threads to end. */
    @Override
    public void close() {
        parent.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        child.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        local.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        parent.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        child.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        local.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
