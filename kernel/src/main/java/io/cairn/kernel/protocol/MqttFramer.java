package io.cairn.kernel.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttMessageFactory;
import java.nio.charset.CharacterCodingException;
import java.util.List;

/**
 * Cuts the byte stream into whole MQTT packets by their fixed header before Netty's {@code MqttDecoder} sees
 * them, and checks what that decoder does not:
 * <ul>
 * <li>a packet whose fields claim more bytes than its Remaining Length holds (a missing password, will, packet
 *     id or QoS byte) is malformed; on its own the decoder would wait for more bytes and read the next packet
 *     into this one (MQTT-3.1.4-1, MQTT-4.8.0-1);</li>
 * <li>a Remaining Length of more than four bytes, or a packet above the maximum packet size, is refused before
 *     any of it is buffered;</li>
 * <li>the reserved bits of each SUBSCRIBE option byte are zero (MQTT-3.8.3-4).</li>
 * </ul>
 * A violation goes down the pipeline as an MQTT message whose decoder result failed, like any other malformed
 * packet, and every byte after it is discarded. One instance per connection; its {@link #sentinel()} is placed
 * right after the MQTT decoder to see that each packet produced a message.
 *
 * <p>PUBLISH packets of a connected client, the hot path, do not go through the decoder (for MQTT 5: those with
 * no properties or only a Topic Alias): the
 * framer reads their fields in place and hands topic, flags, packet id and a slice of the payload straight to
 * {@link PublishFlow}, taking the topic name from the connection's {@link TopicCache}. That removes the
 * decoder's per-packet objects (three message objects, a decoded string, a char buffer and a second slice);
 * the checks are the decoder's: QoS 3, a topic or packet id running past the packet, packet id 0 and
 * ill-formed UTF-8 make the packet malformed.
 */
public final class MqttFramer extends ByteToMessageDecoder {

    private final int maxPacketSize;
    private final ChannelHandler sentinel = new Sentinel();
    private TopicCache topics; // made at the first PUBLISH: idle connections do not pay for it
    private MqttConnection connection;
    private boolean rawPublished;
    private int protocolLevel;
    private boolean produced;
    private boolean failed;

    public MqttFramer(int maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
    }

    /** Lets PUBLISH packets bypass the decoder once {@code c} is connected. */
    public void publishTo(MqttConnection c) {
        this.connection = c;
    }

    /** The protocol level byte of the CONNECT this connection sent, or 0 before one was read. */
    public int connectLevel() {
        return protocolLevel;
    }

    /** The handler to place right after the MQTT decoder. */
    public ChannelHandler sentinel() {
        return sentinel;
    }

    /**
     * Passed down the pipeline once per read that carried PUBLISH packets the decoder did not see, so that the
     * keep-alive timer behind the decoder still counts them as activity (MQTT-3.1.2-24).
     */
    static final Object ACTIVITY = new Object() {
        @Override
        public String toString() {
            return "MqttFramer.ACTIVITY";
        }
    };

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        rawPublished = false;
        cut(ctx, in);
        if (rawPublished) {
            ctx.fireChannelRead(ACTIVITY);
        }
    }

    private void cut(ChannelHandlerContext ctx, ByteBuf in) {
        while (!failed) {
            int start = in.readerIndex();
            int readable = in.readableBytes();
            if (readable < 2) {
                return;
            }
            int remaining = 0;
            int lengthBytes = 0;
            for (int n = 0; ; n++) {
                if (1 + n >= readable) {
                    return; // the length itself is not complete yet
                }
                int b = in.getUnsignedByte(start + 1 + n);
                remaining |= (b & 0x7F) << (7 * n);
                if ((b & 0x80) == 0) {
                    lengthBytes = n + 1;
                    break;
                }
                if (n == 3) {
                    fail(ctx, in, new DecoderException("remaining length uses more than four bytes"));
                    return;
                }
            }
            long total = 1L + lengthBytes + remaining;
            if (total > maxPacketSize) {
                fail(ctx, in, new TooLongFrameException("packet of " + total + " bytes exceeds " + maxPacketSize));
                return;
            }
            if (readable < total) {
                return;
            }
            int type = in.getUnsignedByte(start) >> 4;
            int body = start + 1 + lengthBytes;
            int end = (int) (start + total);
            if (type == 3 && connection != null && connection.takesRawPublish()) {
                String problem = publish(in, start, body, end);
                if (problem == null) {
                    rawPublished = true;
                    continue;
                }
                if (problem != DECODER) {
                    fail(ctx, in, new DecoderException(problem));
                    return;
                }
                // an MQTT 5 PUBLISH with properties the in-place reader leaves to the decoder: on below
            }
            if (type == 1 && protocolLevel == 0) {
                protocolLevel = levelOf(in, body, end);
            }
            if (protocolLevel >= 5) {
                String problem = duplicateProperty(in, type, start, body, end);
                if (problem != null) {
                    fail(ctx, in, new PropertyScan.ProtocolErrorException(problem));
                    return;
                }
            }
            if (type == 8) {
                String problem = subscribeOptionsProblem(in, body + 2, end);
                if (problem != null) {
                    fail(ctx, in, new DecoderException(problem + " [MQTT-3.8.3-4]"));
                    return;
                }
            }
            ByteBuf frame = in.retainedSlice(start, (int) total);
            in.readerIndex(end);
            produced = false;
            ctx.fireChannelRead(frame);
            if (!produced) {
                fail(ctx, in, new DecoderException("packet type " + type + " ends before its fields do"));
                return;
            }
        }
        in.skipBytes(in.readableBytes());
    }

    /** What {@link #publish} answers for a PUBLISH it leaves to Netty's decoder. */
    private static final String DECODER = new String("decoder");

    /**
     * Reads the PUBLISH in {@code in[start, end)} in place and hands it to the connection. An MQTT 5 PUBLISH is
     * read here when its properties are none or a Topic Alias that resolves (the hot path of a client that
     * publishes plain messages, with or without aliases); any other property, and every error an alias can
     * make, is left to the decoder and {@link Publish5}, which check each property and name the violation.
     *
     * @return why the packet is malformed, {@link #DECODER} to pass it on undecoded, or {@code null} once it was
     *         handed over (or refused for its topic)
     */
    private String publish(ByteBuf in, int start, int body, int end) {
        int flags = in.getUnsignedByte(start) & 0x0F;
        int qos = (flags >> 1) & 0x03;
        if (qos == 3) {
            return "PUBLISH with QoS 3 [MQTT-3.3.1-4]";
        }
        int idBytes = qos == 0 ? 0 : 2;
        if (body + 2 > end) {
            return "PUBLISH ends before its topic name";
        }
        int topicLength = in.getUnsignedShort(body);
        int topicStart = body + 2;
        int pos = topicStart + topicLength;
        if (pos + idBytes > end) {
            return "PUBLISH ends before its " + (pos > end ? "topic name" : "packet identifier");
        }
        int packetId = 0;
        if (qos > 0) {
            packetId = in.getUnsignedShort(pos);
            if (packetId == 0) {
                return "PUBLISH with packet identifier 0 [MQTT-2.3.1-1]";
            }
            pos += 2;
        }
        int alias = 0;
        if (connection.protocolLevel >= 5) {
            // MQTT 5.0 §3.3.2.3: the property block, a Variable Byte Integer length, then the properties
            int length = 0;
            for (int n = 0; ; n++) {
                if (pos >= end || n == 4) {
                    return "PUBLISH ends in or after a malformed property length";
                }
                int b = in.getUnsignedByte(pos++);
                length |= (b & 0x7F) << (7 * n);
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            if (pos + length > end) {
                return "PUBLISH properties run past the end of the packet";
            }
            if (length != 0) {
                if (length != 3 || in.getUnsignedByte(pos) != 0x23) {
                    return DECODER;
                }
                alias = in.getUnsignedShort(pos + 1);
                if (alias == 0 || alias > connection.kernel.settings().topicAliasMaximum()) {
                    return DECODER;
                }
                pos += 3;
            }
        }
        if (topicLength == 0) {
            String bound = alias == 0 ? null : connection.inboundAlias(alias);
            if (bound == null) {
                return DECODER; // no topic and no usable alias: the decoder path names the violation
            }
            ByteBuf payload = in.retainedSlice(pos, end - pos);
            in.readerIndex(end);
            PublishFlow.publish(connection, bound, connection.inboundAliasBytes(alias), payload, flags(flags, qos),
                    packetId);
            return null;
        }
        if (topics == null) {
            topics = new TopicCache();
        }
        String topic = topics.find(in, topicStart, topicLength);
        if (topic == null) {
            try {
                topic = topics.decode(in, topicStart, topicLength);
            } catch (CharacterCodingException e) {
                return "topic name is not well-formed UTF-8 [MQTT-1.5.3-1]";
            }
            String problem = PublishFlow.topicProblem(connection, topic);
            if (problem != null) {
                in.readerIndex(end);
                PublishFlow.refuseTopic(connection, topic, problem);
                return null;
            }
            topics.store(topic);
        }
        if (alias != 0) {
            connection.inboundAlias(alias, topic, topics.utf8()); // MQTT 5.0 §3.3.2.3.4: topic and alias bind it
        }
        ByteBuf payload = in.retainedSlice(pos, end - pos);
        in.readerIndex(end);
        PublishFlow.publish(connection, topic, topics.utf8(), payload, flags(flags, qos), packetId);
        return null;
    }

    /** The flags {@link PublishFlow} takes, from the fixed header's. */
    private static int flags(int headerFlags, int qos) {
        return qos | ((headerFlags & 0x08) != 0 ? PublishFlow.DUP : 0)
                | ((headerFlags & 0x01) != 0 ? PublishFlow.RETAIN : 0);
    }

    /**
     * Why the MQTT 5 packet in {@code in[start, end)} is a protocol error for a property given twice, or
     * {@code null}: the blocks of CONNECT (and its will), PUBLISH, SUBSCRIBE, UNSUBSCRIBE, the acknowledgements,
     * DISCONNECT and AUTH are checked (MQTT 5.0 §2.2.2.2).
     */
    private static String duplicateProperty(ByteBuf in, int type, int start, int body, int end) {
        int remaining = end - body;
        int block;
        switch (type) {
            case 1 -> {
                if (remaining < 2) {
                    return null;
                }
                block = body + 2 + in.getUnsignedShort(body) + 4; // protocol name, level, flags, keep-alive
                if (block >= end) {
                    return null;
                }
                String problem = duplicateIn(in, block, end, "CONNECT");
                if (problem != null) {
                    return problem;
                }
                boolean will = (in.getUnsignedByte(block - 3) & 0x04) != 0;
                int clientId = blockEnd(in, block, end);
                if (!will || clientId < 0 || clientId + 2 > end) {
                    return null;
                }
                return duplicateIn(in, clientId + 2 + in.getUnsignedShort(clientId), end, "CONNECT will");
            }
            case 3 -> {
                if (remaining < 2) {
                    return null;
                }
                int qos = (in.getUnsignedByte(start) >> 1) & 0x03;
                block = body + 2 + in.getUnsignedShort(body) + (qos > 0 ? 2 : 0);
            }
            case 4, 5, 6, 7 -> {
                if (remaining < 4) {
                    return null;
                }
                block = body + 3;
            }
            case 8, 10 -> block = body + 2;
            case 14, 15 -> {
                if (remaining < 2) {
                    return null;
                }
                block = body + 1;
            }
            default -> {
                return null;
            }
        }
        return block < end ? duplicateIn(in, block, end, "packet type " + type) : null;
    }

    private static String duplicateIn(ByteBuf in, int block, int end, String where) {
        int id = PropertyScan.duplicate(in, block, end);
        return id < 0 ? null : where + " carries property 0x" + Integer.toHexString(id) + " twice";
    }

    /** The index after the property block at {@code pos}, or -1 if its length is malformed or runs past end. */
    private static int blockEnd(ByteBuf in, int pos, int end) {
        return skipProperties(in, pos, end);
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, Exception cause) {
        failed = true;
        in.skipBytes(in.readableBytes());
        ctx.fireChannelRead(MqttMessageFactory.newInvalidMessage(cause));
    }

    /** The protocol level of a CONNECT, or 0 when it cannot be read (the decoder then reports the problem). */
    private static int levelOf(ByteBuf in, int body, int end) {
        if (body + 2 > end) {
            return 0;
        }
        int at = body + 2 + in.getUnsignedShort(body);
        return at < end ? in.getUnsignedByte(at) : 0;
    }

    /** Checks the option byte after each topic filter; stops quietly where the packet is short. */
    private String subscribeOptionsProblem(ByteBuf in, int pos, int end) {
        int reserved = protocolLevel >= 5 ? 0xC0 : 0xFC;
        if (protocolLevel >= 5) {
            pos = skipProperties(in, pos, end); // MQTT 5.0 §3.8.2.1: the properties come before the filters
            if (pos < 0) {
                return null;
            }
        }
        while (pos + 2 <= end) {
            pos += 2 + in.getUnsignedShort(pos);
            if (pos >= end) {
                return null;
            }
            int option = in.getUnsignedByte(pos++);
            if ((option & reserved) != 0 || (option & 0x03) == 0x03) {
                return "reserved bits or QoS 3 in SUBSCRIBE option byte 0x" + Integer.toHexString(option);
            }
        }
        return null;
    }

    /**
     * The index after the MQTT 5 property block at {@code pos} (a Variable Byte Integer length, then the
     * properties), or -1 if the length is malformed or runs past {@code end} (the decoder then reports it).
     */
    private static int skipProperties(ByteBuf in, int pos, int end) {
        int length = 0;
        for (int n = 0; n < 4; n++) {
            if (pos >= end) {
                return -1;
            }
            int b = in.getUnsignedByte(pos++);
            length |= (b & 0x7F) << (7 * n);
            if ((b & 0x80) == 0) {
                return pos + length <= end ? pos + length : -1;
            }
        }
        return -1;
    }

    /** Sees every message the MQTT decoder produces. */
    private final class Sentinel extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            produced = true;
            ctx.fireChannelRead(msg);
        }
    }
}
