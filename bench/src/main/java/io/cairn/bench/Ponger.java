package io.cairn.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The far end of a latency pair: re-publishes each received payload unchanged to its pong topic. Packet ids
 * are taken from a bitmap of those in flight, so a slow PUBACK never makes one be reused. Its pongs in flight
 * are bounded by the pinger's window (a pong answers a ping the window let through), which the pinger keeps
 * within the broker's MQTT 5 Receive Maximum.
 *
 * <p>Not thread-safe: runs on its connection's event loop.
 */
final class Ponger implements AckSink {

    private final MqttConnection connection;
    private final RunState run;
    private final byte[] topic;
    private final int qos;
    private final boolean v5;
    private final long[] inFlight = new long[65_536 / 64];
    private int nextId = 1;
    private long unanswerable;

    Ponger(MqttConnection connection, RunState run, String pongTopic, int qos, int protocolLevel) {
        this.connection = connection;
        this.v5 = protocolLevel == Packets.MQTT_5;
        this.run = run;
        this.topic = pongTopic.getBytes(StandardCharsets.UTF_8);
        this.qos = qos;
    }

    /** The QoS of the pongs. */
    int qos() {
        return qos;
    }

    /** Publishes the {@code length} payload bytes at {@code index} to the pong topic. */
    void onPing(ByteBuf buf, int index, int length) {
        int packetId = 0;
        if (qos > 0) {
            packetId = takeId();
            if (packetId == 0) {
                unanswerable++;
                run.fail(connection.clientId() + ": all 65535 packet ids are waiting for an acknowledgement");
                return;
            }
        }
        ByteBuf out = connection.out();
        int remaining = 2 + topic.length + (qos > 0 ? 2 : 0) + (v5 ? 1 : 0) + length;
        out.writeByte(Packets.PUBLISH << 4 | qos << 1);
        Packets.writeRemainingLength(out, remaining);
        out.writeShort(topic.length).writeBytes(topic);
        if (qos > 0) {
            out.writeShort(packetId);
        }
        if (v5) {
            out.writeByte(0); // property length: no properties
        }
        out.writeBytes(buf, index, length);
    }

    private int takeId() {
        for (int tries = 0; tries < 65_535; tries++) {
            int id = nextId;
            nextId = id == 65_535 ? 1 : id + 1;
            long bit = 1L << (id & 63);
            if ((inFlight[id >>> 6] & bit) == 0) {
                inFlight[id >>> 6] |= bit;
                return id;
            }
        }
        return 0;
    }

    @Override
    public void onAck(int packetId) {
        inFlight[packetId >>> 6] &= ~(1L << (packetId & 63));
    }

    /** Pings that could not be answered for lack of a packet id. */
    long unanswerable() {
        return unanswerable;
    }
}
