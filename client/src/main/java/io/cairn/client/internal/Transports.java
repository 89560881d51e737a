package io.cairn.client.internal;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandle;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the Netty transport: native epoll where it loads, NIO elsewhere, or whatever a caller's group runs. */
final class Transports {

    private static final Logger LOG = LoggerFactory.getLogger(Transports.class);

    private Transports() {
    }

    /**
     * A one-thread group of daemon threads owned by one client: for {@code local} connections one that runs Netty
     * {@link LocalChannel}s (which the socket I/O handlers cannot register), otherwise epoll if available.
     */
    static EventLoopGroup newOwnedGroup(String name, boolean local) {
        if (local) {
            return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, true),
                    LocalIoHandler.newFactory());
        }
        boolean epoll = Epoll.isAvailable();
        if (!epoll) {
            LOG.debug("Native epoll unavailable ({}); the client uses NIO",
                    String.valueOf(Epoll.unavailabilityCause()));
        }
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, true), factory);
    }

    /** The socket channel type that can register with {@code loop}. */
    static Class<? extends Channel> channelType(EventLoop loop) {
        if (loop instanceof IoEventLoop io && io.isIoType(EpollIoHandler.class)) {
            return EpollSocketChannel.class;
        }
        return NioSocketChannel.class;
    }

    /**
     * The channel type that connects to {@code address} from {@code loop}: a {@link LocalChannel} for a Netty
     * {@link LocalAddress} (it registers with any 4.2 I/O event loop), otherwise the loop's socket channel.
     */
    static Class<? extends Channel> channelType(EventLoop loop, SocketAddress address) {
        return address instanceof LocalAddress ? LocalChannel.class : channelType(loop);
    }

    /**
     * Whether a {@link LocalChannel} can register with {@code loop}: a loop of a {@link LocalIoHandler}, or a
     * plain (non-I/O) event loop such as {@code DefaultEventLoop}. In Netty 4.2 the NIO and epoll loops cannot.
     */
    static boolean runsLocalChannels(EventLoop loop) {
        return loop instanceof IoEventLoop io ? io.isCompatible(LocalIoHandle.class)
                : loop instanceof SingleThreadEventLoop;
    }

    /** Whether {@code type} is a TCP socket channel (with socket options such as TCP_NODELAY). */
    static boolean isSocket(Class<? extends Channel> type) {
        return SocketChannel.class.isAssignableFrom(type);
    }

    /** The socket channel type for a caller's group. */
    static Class<? extends Channel> channelType(EventLoopGroup group) {
        return channelType(group.next());
    }
}
