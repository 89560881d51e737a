package io.cairn.kernel;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.broker.ListenerInfo;
import io.cairn.api.transport.FrontHandlers;
import io.cairn.api.transport.ListenerRegistration;
import io.cairn.api.transport.TransportContext;
import io.cairn.kernel.netty.HandlerNames;
import io.cairn.kernel.netty.WebSocketFrames;
import io.cairn.kernel.protocol.MqttConnection;
import io.cairn.kernel.protocol.MqttFramer;
import io.cairn.kernel.protocol.TerminalExceptionHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the kernel hands to transports: its event loops, a ready server bootstrap, and the MQTT pipeline that
 * follows the transport's front handlers.
 */
final class KernelTransportContext implements TransportContext {

    private static final Logger LOG = LoggerFactory.getLogger(KernelTransportContext.class);

    /** What the listeners of an embedded broker are served by. */
    static final String EMBEDDED = "embedded";

    private final Kernel kernel;
    private final long providerId;
    private final String provider;

    KernelTransportContext(Kernel kernel) {
        this(kernel, -1, EMBEDDED);
    }

    private KernelTransportContext(Kernel kernel, long providerId, String provider) {
        this.kernel = kernel;
        this.providerId = providerId;
        this.provider = provider;
    }

    /**
     * The context for one transport bundle: listeners it binds or registers are shown as served by
     * {@code provider}, for example {@code io.cairn.transport.tcp 0.1.0.SNAPSHOT}, and the sockets it hands over are
     * closed at once when the bundle {@code providerId} is uninstalled rather than updated.
     */
    public KernelTransportContext forProvider(long providerId, String provider) {
        return new KernelTransportContext(kernel, providerId, provider);
    }

    @Override
    public EventLoopGroup parentGroup() {
        return kernel.loops().parent();
    }

    @Override
    public EventLoopGroup childGroup() {
        return kernel.loops().child();
    }

    @Override
    public ServerBootstrap newServerBootstrap() {
        ServerBootstrap b = new ServerBootstrap()
                .group(kernel.loops().parent(), kernel.loops().child())
                .channel(kernel.loops().serverChannelType())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024));
        // no SO_REUSEPORT: it would let a second broker of the same user share the port silently instead of
        // failing with "Address already in use"; overlapping re-binds during transport updates need a guard first
        return b;
    }

    @Override
    public void initPipeline(Channel channel, String listener) {
        ChannelPipeline p = channel.pipeline();
        p.addLast(HandlerNames.BYTE_COUNTER, kernel.listenerCounters(listener).bytes());
        MqttFramer framer = new MqttFramer(kernel.settings().maxPacketSize());
        p.addLast(HandlerNames.FRAMER, framer);
        p.addLast(HandlerNames.DECODER, new MqttDecoder(kernel.settings().maxPacketSize(),
                kernel.settings().maxClientIdLength()));
        p.addLast(HandlerNames.FRAME_CHECK, framer.sentinel());
        p.addLast(HandlerNames.ENCODER, MqttEncoder.INSTANCE);
        MqttConnection connection = new MqttConnection(kernel, listener);
        framer.publishTo(connection);
        p.addLast(HandlerNames.CONNECTION, connection);
        p.addLast(HandlerNames.EXCEPTIONS, TerminalExceptionHandler.INSTANCE);
        kernel.listenerSockets().track(channel, listener);
    }

    @Override
    public ListenerRegistration registerListener(ListenerInfo listener) {
        return registerListener(listener, ListenerSecurity.DEFAULT);
    }

    @Override
    public ListenerRegistration registerListener(ListenerInfo listener, ListenerSecurity security) {
        kernel.listenerSockets().register(listener, security, provider);
        LOG.info("Listener {} open on {} ({})", listener.name(), listener.uri(), provider);
        AtomicBoolean closed = new AtomicBoolean();
        return new ListenerRegistration() {
            @Override
            public ListenerInfo listener() {
                return listener;
            }

            @Override
            public void updateSecurity(ListenerSecurity changed) {
                if (!closed.get()) {
                    kernel.security().configure(listener.name(), changed);
                }
            }

            @Override
            public void handOver(Duration wait, Duration drain) {
                close(); // the transport owns the socket: there is nothing to hand over
            }

            @Override
            public void close() {
                if (closed.compareAndSet(false, true) && kernel.listenerSockets().unregister(listener)) {
                    LOG.info("Listener {} closed", listener.name());
                }
            }
        };
    }

    @Override
    public ChannelHandler webSocketFrames() {
        return WebSocketFrames.INSTANCE;
    }

    @Override
    public ListenerRegistration bind(ListenerInfo requested, int backlog, ListenerSecurity security,
                                     FrontHandlers front) throws BindException {
        return kernel.listenerSockets().bind(providerId, provider, requested, backlog, security, front);
    }
}
