package io.cairn.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
 * and {@link Ponger} in place. Outgoing packets are appended to one batch buffer that is flushed once per
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
    private final String subscription;
    private final int subscriptionQos;
    private final RunState run;
    private final FrameParser parser = new FrameParser(this);
    private final CompletableFuture<MqttConnection> ready = new CompletableFuture<>();

    private volatile Channel channel;
    private ByteBuf out;
    private boolean wroteSinceTick;
    private boolean closing;
    private ScheduledFuture<?> keepAlive;
    private ScheduledFuture<?> handshakeTimeout;
    private Receiver receiver;
    private Ponger ponger;
    private AckSink ackSink;
    private Publisher publisher;

    /**
     * A connection that subscribes to {@code subscription} at {@code subscriptionQos} after CONNACK, or to
     * nothing if it is {@code null}.
     */
    MqttConnection(String clientId, Endpoint endpoint, String subscription, int subscriptionQos, RunState run) {
        this.clientId = clientId;
        this.endpoint = endpoint;
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
    }

    /** Sends this connection's messages. Set before connecting. */
    void publisher(Publisher value) {
        publisher = value;
        ackSink = value;
    }

    String clientId() {
        return clientId;
    }

    Channel channel() {
        return channel;
    }

    /** Completes when CONNACK (and SUBACK) accepted, exceptionally with a {@link BenchException} otherwise. */
    CompletableFuture<MqttConnection> ready() {
        return ready;
    }

    /** Opens the TCP connection from {@code local} (any if {@code null}); the rest follows on the event loop. */
    ChannelFuture connect(Bootstrap base, SocketAddress remote, SocketAddress local) {
        ChannelFuture f = base.clone().handler(this).connect(remote, local);
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
        Packets.connect(out(), endpoint.protocolLevel(), clientId, endpoint.keepAlive(), endpoint.username(),
                endpoint.password());
        flush();
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (!ready.isDone()) {
                fail(endpoint.address() + " did not answer " + (subscription == null ? "CONNECT" : "CONNECT/SUBSCRIBE")
                        + " of " + clientId + " within " + HANDSHAKE_TIMEOUT_MILLIS / 1000 + " s");
                ctx.close();
            }
        }, HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
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
            if (!ready.isDone()) {
                fail("connection of " + clientId + " to " + endpoint.address() + " failed: " + cause.getMessage());
            } else if (run != null && !ready.isCompletedExceptionally()) {
                run.fail("connection of " + clientId + " to " + endpoint.address() + " failed: " + cause.getMessage());
            }
        }
        ctx.close();
    }

    private void protocolError(String message) {
        String text = clientId + ": " + message;
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
                if (ackSink != null && bodyLength >= 2) {
                    ackSink.onAck(buf.getUnsignedShort(bodyIndex));
                }
                break;
            case Packets.PUBREC:
                Packets.ack(out(), Packets.PUBREL, buf.getUnsignedShort(bodyIndex));
                break;
            case Packets.PUBREL:
                Packets.ack(out(), Packets.PUBCOMP, buf.getUnsignedShort(bodyIndex));
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

    private void onConnack(ByteBuf buf, int bodyIndex, int bodyLength) {
        int code = bodyLength >= 2 ? buf.getUnsignedByte(bodyIndex + 1) : -1;
        if (code != 0) {
            fail(endpoint.address() + " refused the connection of " + clientId + ": CONNACK return code " + code
                    + " (" + Packets.connackReason(code) + ")");
            channel.close();
            return;
        }
        int keepAliveSeconds = endpoint.keepAlive();
        if (keepAliveSeconds > 0) {
            // half the keep-alive: the gap between two packets never exceeds the keep-alive
            long period = keepAliveSeconds * 500L;
            keepAlive = channel.eventLoop().scheduleAtFixedRate(this::keepAliveTick, period, period,
                    TimeUnit.MILLISECONDS);
        }
        if (subscription == null) {
            handshakeDone();
        } else {
            Packets.subscribe(out(), SUBSCRIBE_PACKET_ID, subscription, subscriptionQos);
        }
    }

    private void onSuback(ByteBuf buf, int bodyIndex, int bodyLength) {
        int granted = bodyLength >= 3 ? buf.getUnsignedByte(bodyIndex + 2) : 0x80;
        if (granted == 0x80) {
            fail(endpoint.address() + " refused the subscription of " + clientId + " to " + subscription);
            channel.close();
            return;
        }
        if (granted < subscriptionQos) {
            LOG.warn("{} granted QoS {} instead of {} to {} on {}", endpoint.address(), granted, subscriptionQos,
                    clientId, subscription);
        }
        handshakeDone();
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
