package io.cairn.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT client connection of the generator: sends CONNECT (and one SUBSCRIBE if it has a subscription),
 * answers the broker's QoS flows and keep-alive, and hands incoming PUBLISH payloads to its {@link Receiver}
 * and {@link Ponger} in place. At MQTT 5 it skips the property block of each PUBLISH, takes the limits the
 * broker announces in CONNACK (Receive Maximum, Maximum QoS, Maximum Packet Size, Server Keep Alive), counts
 * acknowledgements with a failure reason code as rejected messages and reports a DISCONNECT from the broker
 * with its reason code. Outgoing packets are appended to one batch buffer that is flushed once per
 * read or per publisher turn.
 *
 * <p>Not thread-safe: everything after {@link #connect} runs on the channel's event loop, except
 * {@link #ready()} and {@link #close()}.
 */
final class MqttConnection extends ChannelInboundHandlerAdapter implements FrameListener {

    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);

    /** How long the broker has to answer CONNECT and SUBSCRIBE. */
    static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    /** How long the broker has to close the connection after DISCONNECT before this side closes it. */
    static final long CLOSE_AFTER_DISCONNECT_MILLIS = 2_000;

    private static final int SUBSCRIBE_PACKET_ID = 1;
    private static final int BATCH_CAPACITY = 8192;

    private final String clientId;
    private final Endpoint endpoint;
    private final boolean v5;
    private final String subscription;
    private final int subscriptionQos;
    private final RunState run;
    private final FrameParser parser = new FrameParser(this);
    private final CompletableFuture<MqttConnection> ready = new CompletableFuture<>();

    private volatile Channel channel;
    private ByteBuf out;
    private boolean wroteSinceTick;
    private boolean closing;
    private boolean connectSent;
    private ScheduledFuture<?> keepAlive;
    private ScheduledFuture<?> handshakeTimeout;
    private Receiver receiver;
    private Ponger ponger;
    private AckSink ackSink;
    private Publisher publisher;
    private int publishQos;
    private int publishPacketBytes;
    private int receiveMaximum = 65_535;

    /**
     * A connection that subscribes to {@code subscription} at {@code subscriptionQos} after CONNACK, or to
     * nothing if it is {@code null}.
     */
    /** Where this connection connects. */
    Endpoint endpoint() {
        return endpoint;
    }

    MqttConnection(String clientId, Endpoint endpoint, String subscription, int subscriptionQos, RunState run) {
        this.clientId = clientId;
        this.endpoint = endpoint;
        this.v5 = endpoint.protocolLevel() == Packets.MQTT_5;
        this.subscription = subscription;
        this.subscriptionQos = subscriptionQos;
        this.run = run;
    }

    /** Counts and checks the PUBLISH packets this connection receives. Set before connecting. */
    void receiver(Receiver value) {
        receiver = value;
    }

    /** Answers each received PUBLISH with a PUBLISH of the same payload. Set before connecting. */
    void ponger(Ponger value) {
        ponger = value;
        ackSink = value;
        publishQos = value.qos();
    }

    /** Sends this connection's messages. Set before connecting. */
    void publisher(Publisher value) {
        publisher = value;
        ackSink = value;
        publishQos = value.qos();
        publishPacketBytes = value.packetBytes();
    }

    String clientId() {
        return clientId;
    }

    Channel channel() {
        return channel;
    }

    /**
     * The broker's Receive Maximum from CONNACK (MQTT 5.0 section 3.2.2.3.3): how many QoS 1/2 PUBLISH packets
     * this client may have unacknowledged; 65,535 when not announced and below MQTT 5. Read after {@link #ready()}.
     */
    int receiveMaximum() {
        return receiveMaximum;
    }

    /** Completes when CONNACK (and SUBACK) accepted, exceptionally with a {@link BenchException} otherwise. */
    CompletableFuture<MqttConnection> ready() {
        return ready;
    }

    /**
     * Opens the TCP connection from {@code local} (any if {@code null}), with the endpoint's {@link Front} (TLS,
     * WebSocket) in front of this handler; the rest follows on the event loop.
     */
    ChannelFuture connect(Bootstrap base, SocketAddress remote, SocketAddress local) {
        Front front = endpoint.front();
        ChannelHandler handler = front.immediate() ? this : new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                front.addTo(ch.pipeline(), endpoint.host(), endpoint.port());
                ch.pipeline().addLast("mqtt", MqttConnection.this);
            }
        };
        ChannelFuture f = base.clone().handler(handler).connect(remote, local);
        channel = f.channel();
        f.addListener((ChannelFutureListener) done -> {
            if (!done.isSuccess()) {
                fail(connectFailure(done.cause()));
            }
        });
        return f;
    }

    private String connectFailure(Throwable cause) {
        String reason;
        if (cause instanceof ConnectException && String.valueOf(cause.getMessage()).contains("refused")) {
            reason = "connection refused";
        } else if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            reason = "connect timed out after " + NettyTransport.CONNECT_TIMEOUT_MILLIS / 1000 + " s";
        } else {
            reason = String.valueOf(cause.getMessage());
        }
        return "could not connect to " + endpoint.address() + ": " + reason;
    }

    private void fail(String message) {
        ready.completeExceptionally(new BenchException(BenchException.CONNECT_FAILED, message));
    }

    /** The batch buffer to append outgoing packets to; sent by {@link #flush()}. */
    ByteBuf out() {
        if (out == null) {
            out = channel.alloc().directBuffer(BATCH_CAPACITY);
        }
        return out;
    }

    /** Writes and flushes what was appended since the last flush. */
    void flush() {
        ByteBuf batch = out;
        if (batch == null) {
            return;
        }
        out = null;
        if (batch.isReadable() && channel.isActive()) {
            wroteSinceTick = true;
            channel.writeAndFlush(batch, channel.voidPromise());
        } else {
            batch.release();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (!ready.isDone()) {
                fail(endpoint.address() + " did not answer " + (!connectSent ? "the " + endpoint.front().transport()
                        + " handshake" : subscription == null ? "CONNECT" : "CONNECT/SUBSCRIBE") + " of " + clientId
                        + " within " + HANDSHAKE_TIMEOUT_MILLIS / 1000 + " s");
                ctx.close();
            }
        }, HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        if (endpoint.front().immediate()) {
            sendConnect();
        }
        ctx.fireChannelActive();
    }

    /** The TLS and WebSocket handshakes are done ({@link Front#READY}): CONNECT goes out now. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == Front.READY) {
            sendConnect();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private void sendConnect() {
        connectSent = true;
        Packets.connect(out(), endpoint.protocolLevel(), clientId, endpoint.keepAlive(), endpoint.sessionExpiry(),
                endpoint.username(), endpoint.password());
        flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            parser.feed(in, ctx.alloc());
        } catch (FrameParser.MalformedFrameException e) {
            protocolError("malformed packet from broker: " + e.getMessage());
        } finally {
            in.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (publisher != null && ctx.channel().isWritable()) {
            publisher.onWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        parser.close();
        if (out != null) {
            out.release();
            out = null;
        }
        if (keepAlive != null) {
            keepAlive.cancel(false);
        }
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        if (!ready.isDone()) {
            fail(endpoint.address() + " closed the connection of " + clientId + " during the handshake");
        } else if (!closing && run != null && !ready.isCompletedExceptionally()) {
            run.fail(endpoint.address() + " closed the connection of " + clientId + " during the run");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!closing) {
            LOG.debug("{}: {}", clientId, cause.toString());
            String what = !connectSent && !endpoint.front().immediate()
                    ? endpoint.front().transport() + " handshake of " + clientId + " with " + endpoint.address()
                            + " failed: " + TlsClient.describe(cause)
                    : "connection of " + clientId + " to " + endpoint.address() + " failed: " + cause.getMessage();
            if (!ready.isDone()) {
                fail(what);
            } else if (run != null && !ready.isCompletedExceptionally()) {
                run.fail(what);
            }
        }
        ctx.close();
    }

    private void protocolError(String message) {
        failConnection(clientId + ": " + message);
    }

    /** Fails the handshake, or the run once the connection was ready, with {@code text}, and closes. */
    private void failConnection(String text) {
        if (!ready.isDone()) {
            fail(text);
        } else if (run != null && !ready.isCompletedExceptionally()) {
            run.fail(text);
        }
        channel.close();
    }

    @Override
    public void onFrame(int header, ByteBuf buf, int bodyIndex, int bodyLength) {
        int type = header >>> 4;
        switch (type) {
            case Packets.PUBLISH:
                onPublish(header, buf, bodyIndex, bodyLength);
                break;
            case Packets.PUBACK:
            case Packets.PUBCOMP:
                if (bodyLength >= 2) {
                    int packetId = buf.getUnsignedShort(bodyIndex);
                    delivered(type, packetId, buf, bodyIndex, bodyLength);
                    if (ackSink != null) {
                        ackSink.onAck(packetId);
                    }
                }
                break;
            case Packets.PUBREC:
                if (bodyLength >= 2) {
                    int packetId = buf.getUnsignedShort(bodyIndex);
                    if (delivered(type, packetId, buf, bodyIndex, bodyLength)) {
                        Packets.ack(out(), Packets.PUBREL, packetId);
                    } else if (ackSink != null) {
                        ackSink.onAck(packetId); // a failed PUBREC ends the flow (MQTT 5.0 section 4.3.3)
                    }
                }
                break;
            case Packets.PUBREL:
                if (bodyLength >= 2) {
                    int packetId = buf.getUnsignedShort(bodyIndex);
                    delivered(type, packetId, buf, bodyIndex, bodyLength);
                    Packets.ack(out(), Packets.PUBCOMP, packetId);
                }
                break;
            case Packets.DISCONNECT:
                if (!v5) {
                    protocolError("unexpected packet type " + type);
                } else {
                    onDisconnect(buf, bodyIndex, bodyLength);
                }
                break;
            case Packets.PINGRESP:
                break;
            case Packets.CONNACK:
                onConnack(buf, bodyIndex, bodyLength);
                break;
            case Packets.SUBACK:
                onSuback(buf, bodyIndex, bodyLength);
                break;
            default:
                protocolError("unexpected packet type " + type);
        }
    }

    private void onPublish(int header, ByteBuf buf, int bodyIndex, int bodyLength) {
        int qos = (header >>> 1) & 3;
        int topicLength = buf.getUnsignedShort(bodyIndex);
        int index = bodyIndex + 2 + topicLength;
        int packetId = 0;
        if (qos > 0) {
            packetId = buf.getUnsignedShort(index);
            index += 2;
        }
        if (v5) {
            int end = bodyIndex + bodyLength;
            if (index < end && buf.getByte(index) == 0) {
                index++; // no properties: the usual case, no decoding
            } else {
                int propertyLength = Properties5.variableByteInteger(buf, index, end);
                index += Packets.remainingLengthBytes(propertyLength) + propertyLength;
                if (index > end) {
                    throw new FrameParser.MalformedFrameException("PUBLISH property length " + propertyLength
                            + " runs past the packet");
                }
            }
        }
        int payloadLength = bodyIndex + bodyLength - index;
        if (receiver != null) {
            receiver.onPayload(buf, index, payloadLength);
        }
        if (ponger != null) {
            ponger.onPing(buf, index, payloadLength);
        }
        if (qos == 1) {
            Packets.ack(out(), Packets.PUBACK, packetId);
        } else if (qos == 2) {
            Packets.ack(out(), Packets.PUBREC, packetId);
        }
    }

    /**
     * Whether an acknowledgement reports success: below MQTT 5 always; at MQTT 5 a reason code below 0x80 (0x10,
     * no matching subscribers, included). A failure is counted as a rejected message with its reason.
     */
    private boolean delivered(int type, int packetId, ByteBuf buf, int bodyIndex, int bodyLength) {
        if (!v5 || bodyLength < 3) {
            return true; // remaining length 2: success without a reason code (MQTT 5.0 section 3.4.2.1)
        }
        int code = buf.getUnsignedByte(bodyIndex + 2);
        if (code < Packets.FIRST_FAILURE_REASON) {
            return true;
        }
        Properties5 properties = bodyLength > 3
                ? Properties5.read(buf, bodyIndex + 3, bodyIndex + bodyLength) : Properties5.none(bodyIndex + 3);
        if (run != null) {
            run.reject(clientId + ": " + Packets.typeName(type) + " of packet " + packetId + " with reason code "
                    + Packets.reason(code) + properties.reasonSuffix());
        }
        return false;
    }

    private void onConnack(ByteBuf buf, int bodyIndex, int bodyLength) {
        int code = bodyLength >= 2 ? buf.getUnsignedByte(bodyIndex + 1) : -1;
        Properties5 properties = v5 && bodyLength > 2
                ? Properties5.read(buf, bodyIndex + 2, bodyIndex + bodyLength) : Properties5.none(bodyIndex + 2);
        if (code != 0) {
            String why;
            if (v5 && code >= Packets.FIRST_FAILURE_REASON) {
                why = "CONNACK reason code " + Packets.reason(code) + properties.reasonSuffix();
            } else {
                why = "CONNACK return code " + code + " (" + Packets.connackReason(code) + ")";
                if (v5 && code == 1) {
                    why += ": the broker does not speak MQTT 5";
                }
            }
            fail(endpoint.address() + " refused the connection of " + clientId + ": " + why);
            channel.close();
            return;
        }
        String unusable = unusableLimit(properties);
        if (unusable != null) {
            fail(endpoint.address() + " " + unusable);
            channel.close();
            return;
        }
        receiveMaximum = properties.receiveMaximum();
        int keepAliveSeconds = properties.serverKeepAlive() >= 0 ? properties.serverKeepAlive() : endpoint.keepAlive();
        if (keepAliveSeconds > 0) {
            // half the keep-alive: the gap between two packets never exceeds the keep-alive
            long period = keepAliveSeconds * 500L;
            keepAlive = channel.eventLoop().scheduleAtFixedRate(this::keepAliveTick, period, period,
                    TimeUnit.MILLISECONDS);
        }
        if (subscription == null) {
            handshakeDone();
        } else {
            Packets.subscribe(out(), endpoint.protocolLevel(), SUBSCRIBE_PACKET_ID, subscription, subscriptionQos);
        }
    }

    /** Why this connection cannot run within the limits of an MQTT 5 CONNACK, or {@code null}. */
    private String unusableLimit(Properties5 properties) {
        if (properties.receiveMaximum() == 0) {
            return "announced Receive Maximum 0, a protocol error (MQTT 5.0 section 3.2.2.3.3)";
        }
        if (publishQos > properties.maximumQos()) {
            return "accepts PUBLISH up to QoS " + properties.maximumQos() + " (CONNACK Maximum QoS): --qos "
                    + publishQos + " cannot run";
        }
        if (properties.maximumPacketSize() > 0 && publishPacketBytes > properties.maximumPacketSize()) {
            return "accepts packets up to " + properties.maximumPacketSize() + " bytes (CONNACK Maximum Packet"
                    + " Size): a PUBLISH of this --size is " + publishPacketBytes + " bytes";
        }
        return null;
    }

    private void onSuback(ByteBuf buf, int bodyIndex, int bodyLength) {
        int granted;
        String why = "";
        if (v5) {
            int end = bodyIndex + bodyLength;
            Properties5 properties = bodyLength > 2 ? Properties5.read(buf, bodyIndex + 2, end) : null;
            granted = properties != null && properties.end() < end ? buf.getUnsignedByte(properties.end()) : 0x80;
            if (properties != null) {
                why = ": SUBACK reason code " + Packets.reason(granted) + properties.reasonSuffix();
            }
        } else {
            granted = bodyLength >= 3 ? buf.getUnsignedByte(bodyIndex + 2) : 0x80;
        }
        if (granted >= 0x80) {
            fail(endpoint.address() + " refused the subscription of " + clientId + " to " + subscription + why);
            channel.close();
            return;
        }
        if (granted < subscriptionQos) {
            LOG.warn("{} granted QoS {} instead of {} to {} on {}", endpoint.address(), granted, subscriptionQos,
                    clientId, subscription);
        }
        handshakeDone();
    }

    /** A DISCONNECT from the broker (MQTT 5.0 section 3.14): the connection ends, with the broker's reason. */
    private void onDisconnect(ByteBuf buf, int bodyIndex, int bodyLength) {
        int code = bodyLength >= 1 ? buf.getUnsignedByte(bodyIndex) : 0;
        Properties5 properties = bodyLength >= 2
                ? Properties5.read(buf, bodyIndex + 1, bodyIndex + bodyLength) : Properties5.none(bodyIndex + 1);
        String text = endpoint.address() + " disconnected " + clientId + ": DISCONNECT reason code "
                + Packets.reason(code) + properties.reasonSuffix();
        if (closing) {
            LOG.debug("{} (after our DISCONNECT)", text);
            channel.close();
        } else {
            failConnection(text);
        }
    }

    private void handshakeDone() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        ready.complete(this);
    }

    private void keepAliveTick() {
        if (!wroteSinceTick) {
            Packets.pingreq(out());
            flush();
        }
        wroteSinceTick = false;
    }

    /**
     * Sends DISCONNECT and closes the connection once it is written; safe from any thread and more than once.
     *
     * @return completes when the channel is closed
     */
    ChannelFuture close() {
        if (channel == null) {
            throw new IllegalStateException("not connected");
        }
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(this::close);
            return channel.closeFuture();
        }
        if (!closing) {
            closing = true;
            if (channel.isActive() && ready.isDone() && !ready.isCompletedExceptionally()) {
                flush();
                ByteBuf bye = channel.alloc().directBuffer(2);
                Packets.disconnect(bye);
                channel.writeAndFlush(bye, channel.voidPromise());
                // the broker closes on DISCONNECT; closing after it leaves the TIME_WAIT on the broker's side
                // rather than on this tool's ports, where tens of thousands of them slow down the next connects
                Channel c = channel;
                c.eventLoop().schedule(() -> c.close(), CLOSE_AFTER_DISCONNECT_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                channel.close();
            }
        }
        return channel.closeFuture();
    }
}
