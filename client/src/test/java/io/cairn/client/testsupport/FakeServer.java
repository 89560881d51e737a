package io.cairn.client.testsupport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A scripted MQTT server on 127.0.0.1 (or an in-process {@link LocalAddress}, or behind TLS) for tests of client
 * behaviour the real broker cannot be made to show: withheld acknowledgements, refused CONNACKs, silence, dropped
 * connections. It records every packet it gets and answers according to its switches, which a test may flip at
 * any time.
 */
public final class FakeServer implements AutoCloseable {

    /**
     * One received packet.
     *
     * @param connection     the index of the connection it came on, from 0
     * @param packetId       the packet identifier, or 0 if the packet has none
     * @param payload        a PUBLISH's payload, or empty
     * @param variableHeader the decoded variable header (MQTT 5 properties and reason codes are in it)
     * @param decodedPayload the decoded payload of packets other than PUBLISH (CONNECT, SUBSCRIBE, ...), or null
     */
    public record Packet(int connection, MqttMessageType type, int packetId, boolean dup, int qos, String topic,
                         byte[] payload, boolean retain, Object variableHeader, Object decodedPayload) {
        public String payloadAsString() {
            return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        }

        /** The MQTT 5 properties of the packet; empty if it has none. */
        public MqttProperties properties() {
            Object v = variableHeader;
            if (v instanceof MqttPublishVariableHeader h) {
                return h.properties();
            }
            if (v instanceof io.netty.handler.codec.mqtt.MqttConnectVariableHeader h) {
                return h.properties();
            }
            if (v instanceof MqttMessageIdAndPropertiesVariableHeader h) {
                return h.properties();
            }
            if (v instanceof MqttPubReplyMessageVariableHeader h) {
                return h.properties();
            }
            if (v instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
                return h.properties();
            }
            return MqttProperties.NO_PROPERTIES;
        }

        /** The reason code of an acknowledgement, DISCONNECT or AUTH; 0 if it has none. */
        public int reasonCode() {
            if (variableHeader instanceof MqttPubReplyMessageVariableHeader h) {
                return h.reasonCode() & 0xFF;
            }
            if (variableHeader instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
                return h.reasonCode() & 0xFF;
            }
            return 0;
        }

        /** A property's value (Integer, String or byte[]), or null. */
        public Object property(int id) {
            MqttProperties.MqttProperty<?> p = properties().getProperty(id);
            return p == null ? null : p.value();
        }
    }

    /**
     * A scripted answer: consulted first for every packet; returns true if it handled the packet, false to let
     * the default behaviour answer.
     */
    @FunctionalInterface
    public interface Script {
        boolean handle(ChannelHandlerContext ctx, Packet packet);
    }

    /** Answers packets before the default behaviour does; null for none. */
    public volatile Script script;
    /** The properties of an MQTT 5 CONNACK. */
    public volatile MqttProperties connackProperties = MqttProperties.NO_PROPERTIES;
    /** The reason code of MQTT 5 PUBACK and PUBREC sent as publishes arrive. */
    public volatile int pubAckCode;
    /** The reason code of every filter in an MQTT 5 UNSUBACK. */
    public volatile int unsubAckCode;

    /** The CONNACK return code sent to CONNECT; 0 accepts. */
    public volatile int connackCode;
    /** The session-present flag of an accepting CONNACK. */
    public volatile boolean sessionPresent;
    /** Whether CONNECT is answered at all. */
    public volatile boolean answerConnect = true;
    /** Whether QoS 1/2 PUBLISH are acknowledged (PUBACK, PUBREC) as they arrive. */
    public volatile boolean ackPublishes = true;
    /** Whether PUBREL is answered with PUBCOMP. */
    public volatile boolean answerPubRel = true;
    /** Whether PINGREQ is answered. */
    public volatile boolean answerPings = true;
    /** The SUBACK return code for every filter, or -1 to grant the requested QoS. */
    public volatile int subAckCode = -1;

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final List<Channel> connections = new CopyOnWriteArrayList<>();
    private final List<Packet> received = new CopyOnWriteArrayList<>();
    private final java.util.Set<Integer> openFlows = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicInteger maxUnacked = new AtomicInteger();
    private final List<ByteArrayOutputStream> bytes = new CopyOnWriteArrayList<>();

    private FakeServer(SocketAddress bindTo, SslContext tls) throws InterruptedException {
        // Netty 4.2: local channels register only with a LocalIoHandler's loops
        group = new MultiThreadIoEventLoopGroup(1, bindTo instanceof LocalAddress ? LocalIoHandler.newFactory()
                : NioIoHandler.newFactory());
        serverChannel = new ServerBootstrap()
                .group(group)
                .channel(bindTo instanceof LocalAddress ? LocalServerChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        int index;
                        ByteArrayOutputStream raw = new ByteArrayOutputStream();
                        synchronized (connections) {
                            index = connections.size();
                            connections.add(ch);
                            bytes.add(raw);
                        }
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf b = (ByteBuf) msg;
                                synchronized (raw) {
                                    raw.writeBytes(ByteBufUtil.getBytes(b));
                                }
                                ctx.fireChannelRead(msg);
                            }
                        });
                        ch.pipeline().addLast(new MqttDecoder(1 << 20), MqttEncoder.INSTANCE, new Handler(index));
                    }
                })
                .bind(bindTo).sync().channel();
    }

    /** A server on an ephemeral port. */
    public static FakeServer start() throws InterruptedException {
        return new FakeServer(new InetSocketAddress("127.0.0.1", 0), null);
    }

    /** A server in this process on a Netty {@link LocalAddress} named {@code name}, for {@code LocalChannel}s. */
    public static FakeServer startLocal(String name) throws InterruptedException {
        return new FakeServer(new LocalAddress(name), null);
    }

    /** A server on an ephemeral port that speaks TLS with {@code tls} (a server context). */
    public static FakeServer startTls(SslContext tls) throws InterruptedException {
        return startTls(tls, 0);
    }

    /** A server on {@code port} (0 for ephemeral) that speaks TLS with {@code tls} (a server context). */
    public static FakeServer startTls(SslContext tls, int port) throws InterruptedException {
        return new FakeServer(new InetSocketAddress("127.0.0.1", port), tls);
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The address the server is bound to. */
    public SocketAddress address() {
        return serverChannel.localAddress();
    }

    /** Every packet received so far, in arrival order. */
    public List<Packet> received() {
        return List.copyOf(received);
    }

    /** The packets of {@code type} received so far. */
    public List<Packet> received(MqttMessageType type) {
        return received.stream().filter(p -> p.type() == type).collect(Collectors.toList());
    }

    /** The packets received on connection {@code index}. */
    public List<Packet> receivedOn(int index) {
        return received.stream().filter(p -> p.connection() == index).collect(Collectors.toList());
    }

    /** Every byte the client sent on connection {@code index}, in order. */
    public byte[] bytesOn(int index) {
        ByteArrayOutputStream raw = bytes.get(index);
        synchronized (raw) {
            return raw.toByteArray();
        }
    }

    /** Sends raw bytes on the newest connection, past the encoder. */
    public void sendRaw(byte[] data) {
        connections.get(connections.size() - 1).writeAndFlush(Unpooled.wrappedBuffer(data)).syncUninterruptibly();
    }

    /** Sends an MQTT 5 DISCONNECT on the newest connection. */
    public void disconnect(int reasonCode, MqttProperties properties) {
        send(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) reasonCode, properties)));
    }

    /** An MQTT 5 AUTH packet. */
    public static MqttMessage auth(int reasonCode, String method, byte[] data) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.StringProperty(MqttProperties.AUTHENTICATION_METHOD, method));
        if (data != null) {
            p.add(new MqttProperties.BinaryProperty(MqttProperties.AUTHENTICATION_DATA, data));
        }
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.AUTH, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) reasonCode, p));
    }

    /** An MQTT 5 CONNACK. */
    public static MqttConnAckMessage connAck(int code, boolean sessionPresent, MqttProperties properties) {
        return new MqttConnAckMessage(
                new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttConnAckVariableHeader(MqttConnectReturnCode.valueOf((byte) code), sessionPresent, properties));
    }

    /** Sends an MQTT 5 PUBLISH with properties to the client on the newest connection. */
    public void publish(String topic, String payload, int qos, int packetId, MqttProperties properties) {
        send(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), false,
                0), new MqttPublishVariableHeader(topic, packetId, properties),
                Unpooled.copiedBuffer(payload, java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** The number of connections accepted so far. */
    public int connectionCount() {
        return connections.size();
    }

    /** The most QoS 1/2 flows the client had open at once (PUBLISH received, PUBACK or PUBCOMP not sent yet). */
    public int maxUnacked() {
        return maxUnacked.get();
    }

    /** Sends {@code message} on the newest connection. */
    public void send(MqttMessage message) {
        connections.get(connections.size() - 1).writeAndFlush(message).syncUninterruptibly();
    }

    /**
     * Acknowledges a PUBLISH the server withheld, on the newest connection: PUBACK for QoS 1, PUBREC for QoS 2
     * (whose PUBREL is then answered if {@link #answerPubRel}).
     */
    public void ack(Packet publish) {
        if (publish.qos() == 1) {
            openFlows.remove(publish.packetId());
        }
        send(reply(publish.qos() == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, publish.packetId()));
    }

    /** Sends PUBREL for {@code id} on the newest connection. */
    public void sendPubRel(int id) {
        send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(id)));
    }

    /** Sends a PUBLISH to the client on the newest connection. */
    public void publish(String topic, String payload, int qos, int packetId, boolean dup) {
        send(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), false, 0),
                new MqttPublishVariableHeader(topic, packetId),
                Unpooled.copiedBuffer(payload, java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Closes every open connection (the server keeps listening). */
    public void dropConnections() {
        for (Channel c : connections) {
            c.close().syncUninterruptibly();
        }
    }

    /** Whether connection {@code index} is open. */
    public boolean isOpen(int index) {
        return connections.get(index).isActive();
    }

    static MqttMessage reply(MqttMessageType type, int id) {
        return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(id));
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        dropConnections();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<MqttMessage> {
        private final int index;

        Handler(int index) {
            this.index = index;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
            if (m.decoderResult().isFailure()) {
                ctx.close();
                return;
            }
            MqttFixedHeader h = m.fixedHeader();
            int id = m.variableHeader() instanceof MqttMessageIdVariableHeader v ? v.messageId() : 0;
            String topic = null;
            byte[] payload = new byte[0];
            if (m instanceof MqttPublishMessage p) {
                id = p.variableHeader().packetId();
                topic = p.variableHeader().topicName();
                payload = ByteBufUtil.getBytes(p.payload());
            }
            boolean hasId = !(m instanceof MqttPublishMessage) || h.qosLevel().value() > 0;
            Object decodedPayload = m instanceof MqttPublishMessage ? null : m.payload();
            Packet packet = new Packet(index, h.messageType(), hasId ? id : 0, h.isDup(),
                    h.qosLevel().value(), topic, payload, h.isRetain(), m.variableHeader(), decodedPayload);
            received.add(packet);
            Script s = script;
            if (s != null && s.handle(ctx, packet)) {
                return;
            }
            switch (h.messageType()) {
                case CONNECT -> {
                    if (answerConnect) {
                        ctx.writeAndFlush(new MqttConnAckMessage(
                                new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                                new MqttConnAckVariableHeader(MqttConnectReturnCode.valueOf((byte) connackCode),
                                        connackCode == 0 && sessionPresent, connackProperties)));
                    }
                }
                case PUBLISH -> {
                    if (h.qosLevel().value() > 0) {
                        if (ackPublishes) {
                            MqttMessageType ackType = h.qosLevel().value() == 1 ? MqttMessageType.PUBACK
                                    : MqttMessageType.PUBREC;
                            ctx.writeAndFlush(pubAckCode == 0 ? reply(ackType, id) : new MqttMessage(
                                    new MqttFixedHeader(ackType, false, MqttQoS.AT_MOST_ONCE, false, 0),
                                    new MqttPubReplyMessageVariableHeader(id, (byte) pubAckCode,
                                            MqttProperties.NO_PROPERTIES)));
                        } else {
                            openFlows.add(id);
                            maxUnacked.accumulateAndGet(openFlows.size(), Math::max);
                        }
                    }
                }
                case PUBREL -> {
                    if (answerPubRel) {
                        openFlows.remove(id);
                        ctx.writeAndFlush(reply(MqttMessageType.PUBCOMP, id));
                    }
                }
                case SUBSCRIBE -> {
                    List<MqttTopicSubscription> topics = ((MqttSubscribeMessage) m).payload().topicSubscriptions();
                    List<Integer> codes = new ArrayList<>();
                    for (MqttTopicSubscription t : topics) {
                        codes.add(subAckCode >= 0 ? subAckCode : t.qualityOfService().value());
                    }
                    ctx.writeAndFlush(new MqttSubAckMessage(
                            new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                            MqttMessageIdVariableHeader.from(id), new MqttSubAckPayload(codes)));
                }
                case UNSUBSCRIBE -> {
                    int n = ((MqttUnsubscribeMessage) m).payload().topics().size();
                    short[] codes = new short[n];
                    java.util.Arrays.fill(codes, (short) unsubAckCode);
                    ctx.writeAndFlush(new MqttUnsubAckMessage(
                            new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                            new MqttMessageIdAndPropertiesVariableHeader(id, MqttProperties.NO_PROPERTIES),
                            new MqttUnsubAckPayload(codes)));
                }
                case PINGREQ -> {
                    if (answerPings) {
                        ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false,
                                MqttQoS.AT_MOST_ONCE, false, 0)));
                    }
                }
                default -> {
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
