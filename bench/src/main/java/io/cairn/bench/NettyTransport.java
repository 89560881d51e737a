package io.cairn.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** The generator's event loops: epoll when the native transport loads, NIO otherwise. */
final class NettyTransport {

    /** How long a TCP connect may take before it counts as failed. */
    static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private NettyTransport() {
    }

    /** {@code epoll} or {@code nio}: what {@link #group(int)} uses. */
    static String name() {
        return Epoll.isAvailable() ? "epoll" : "nio";
    }

    /** A group of {@code threads} event loops on the best transport available. */
    static EventLoopGroup group(int threads) {
        DefaultThreadFactory factory = new DefaultThreadFactory("cairn-bench", true);
        return Epoll.isAvailable()
                ? new MultiThreadIoEventLoopGroup(threads, factory, EpollIoHandler.newFactory())
                : new MultiThreadIoEventLoopGroup(threads, factory, NioIoHandler.newFactory());
    }

    /** A bootstrap on {@code group} with no delay, the pooled allocator and the connect timeout; no handler. */
    static Bootstrap bootstrap(EventLoopGroup group) {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, false)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS);
        if (Epoll.isAvailable()) {
            // a connection bound to a source address (conns --sources) gets its port at connect(), where the
            // kernel may reuse ports in TIME_WAIT; chosen at bind(), every closed connection of an earlier run
            // blocks its port for a minute and the port search slows down the next run's connects
            b.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        return b;
    }
}
