package io.cairn.kernel;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.bridge.Bridge;
import io.cairn.api.bridge.BridgeActivity;
import io.cairn.api.bridge.BridgeContext;
import io.cairn.api.bridge.BridgeRegistration;
import io.cairn.api.broker.BridgeStatus;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridges' side of the kernel: an in-process endpoint (a Netty local server channel on the kernel's own event
 * loops) where bridges connect as MQTT clients with trusted {@code $bridge/} sessions, and the list of running
 * bridges for the broker service.
 */
final class KernelBridges implements BridgeContext {

    private static final String LISTENER = Kernel.BRIDGE_LISTENER;

    private static final Logger LOG = LoggerFactory.getLogger(KernelBridges.class);

    private final Kernel kernel;
    private final Map<String, Bridge> bridges = new ConcurrentHashMap<>();
    /**
     * Local channels do not register with epoll or NIO loops: the endpoint has a loop of its own (in the kernel's
     * {@code EventLoops}), and the bridges' clients another. Not the same one: with both ends of a local channel on
     * one thread, Netty delivers a flush to the other end inline, and a flush that end makes while it handles what
     * it read is swallowed by the flush still in progress (seen as QoS acknowledgements that never left).
     */
    private final EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(1,
            new DefaultThreadFactory("cairn-bridge-client", true), LocalIoHandler.newFactory());
    private volatile Channel server;
    private volatile LocalAddress address;

    KernelBridges(Kernel kernel) {
        this.kernel = kernel;
    }

    /** Opens the in-process endpoint: trusted (no authenticators, no authorizers), on the kernel's loops. */
    void open() {
        kernel.security().configure(LISTENER, new ListenerSecurity(true, "none", "none"));
        LocalAddress requested = new LocalAddress("cairn-bridges-" + Long.toHexString(System.nanoTime()));
        Channel ch = new ServerBootstrap()
                .group(kernel.loops().local(), kernel.loops().local())
                .channel(LocalServerChannel.class)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        kernel.transportContext().initPipeline(channel, LISTENER);
                    }
                })
                .bind(requested).syncUninterruptibly().channel();
        server = ch;
        address = (LocalAddress) ch.localAddress();
        LOG.debug("Bridge endpoint open on {}", address);
    }

    /** Closes the endpoint; the kernel closes the connections on it like any other, before. */
    void close() {
        Channel ch = server;
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
        clientGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public ScheduledExecutorService localEventLoops() {
        return clientGroup;
    }

    @Override
    public SocketAddress localAddress() {
        LocalAddress a = address;
        if (a == null) {
            throw new IllegalStateException("the kernel's bridge endpoint is not open");
        }
        return a;
    }

    @Override
    public BridgeRegistration register(Bridge bridge) {
        Objects.requireNonNull(bridge, "bridge");
        String name = Objects.requireNonNull(bridge.name(), "bridge.name()");
        bridges.put(name, bridge);
        return new BridgeRegistration() {
            @Override
            public void close() {
                bridges.remove(name, bridge);
            }
        };
    }

    /** The running bridges with what waits for each in its local session. */
    List<BridgeStatus> status() {
        List<BridgeStatus> list = new ArrayList<>();
        for (Bridge b : bridges.values()) {
            BridgeActivity a;
            try {
                a = b.activity();
            } catch (RuntimeException e) {
                LOG.warn("Bridge {} failed to report its activity", b.name(), e);
                continue;
            }
            long queued = kernel.broker().session(BridgeContext.localClientId(b.name()))
                    .map(s -> (long) s.queued() + s.inflight()).orElse(0L);
            list.add(new BridgeStatus(b.name(), a.remote(), a.connected(), queued, a.sent(), a.received(),
                    a.lastError(), a.lastErrorAt()));
        }
        list.sort(Comparator.comparing(BridgeStatus::name));
        return list;
    }
}
