package io.cairn.kernel.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * A deliberately dumb MQTT client over a plain {@link Socket}: it writes whatever bytes a test hands it and
 * reads back raw packets with a bounded wait, so a test sees exactly what the server put on the wire, including
 * whether and when it closed the connection. Not thread-safe: one test thread drives it.
 */
public final class RawMqttClient implements AutoCloseable {

    /** How long a test waits for a packet it expects. Generous: the build machine is shared and slow. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** How long a test listens to assert that nothing arrives. */
    public static final Duration QUIET = Duration.ofMillis(400);

    private final String name;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private String closedBecause;
    private String writeFailure;
    private int nextPacketId = 1;
    private final Deque<RawPacket> stashed = new ArrayDeque<>();

    private RawMqttClient(String name, Socket socket) throws IOException {
        this.name = name;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Opens a TCP connection to {@code 127.0.0.1:port}; sends nothing yet. */
    public static RawMqttClient open(String name, int port) {
        try {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            return new RawMqttClient(name, socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
        }
    }

    /** The name given at {@link #open}, used in failure messages. */
    public String name() {
        return name;
    }

    /** The local port of the connection, which identifies it in the broker's client list. */
    public int localPort() {
        return socket.getLocalPort();
    }

    /**
     * Writes the packets in one write. A write the server refuses because it closed the connection is not an
     * error here: the next read reports the close.
     */
    public RawMqttClient send(byte[]... packets) {
        try {
            out.write(Wire.concat(packets));
            out.flush();
        } catch (IOException e) {
            if (writeFailure == null) {
                writeFailure = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
        return this;
    }

    /** A packet identifier not used before by this client: 1, 2, 3, ... (wrapping to 1 after 65535). */
    public int nextPacketId() {
        int id = nextPacketId;
        nextPacketId = id == 0xFFFF ? 1 : id + 1;
        return id;
    }

    /** Reads the next packet, failing if none arrives within {@link #TIMEOUT} or the server closes. */
    public RawPacket receive() {
        return receive(TIMEOUT);
    }

    /** Reads the next packet, failing if none arrives within {@code timeout} or the server closes. */
    public RawPacket receive(Duration timeout) {
        if (!stashed.isEmpty()) {
            return stashed.poll();
        }
        ReadResult r = read(timeout);
        if (r.packet != null) {
            return r.packet;
        }
        if (r.closed) {
            throw new AssertionError(name + ": expected a packet but the server closed the connection ("
                    + closeCause() + ")");
        }
        throw new AssertionError(name + ": expected a packet but none arrived within " + timeout.toMillis() + " ms");
    }

    /** Reads the next packet if one arrives within {@code timeout}; fails if the server closes. */
    public Optional<RawPacket> poll(Duration timeout) {
        if (!stashed.isEmpty()) {
            return Optional.of(stashed.poll());
        }
        ReadResult r = read(timeout);
        if (r.closed) {
            throw new AssertionError(name + ": the server closed the connection (" + closeCause() + ")");
        }
        return Optional.ofNullable(r.packet);
    }

    /**
     * Reads the next packet, or returns empty if the server closes the connection first; fails if neither
     * happens within {@code timeout}.
     */
    public Optional<RawPacket> receiveUnlessClosed(Duration timeout) {
        if (!stashed.isEmpty()) {
            return Optional.of(stashed.poll());
        }
        ReadResult r = read(timeout);
        if (r.packet == null && !r.closed) {
            throw new AssertionError(name + ": expected a packet or the connection to close, but neither happened"
                    + " within " + timeout.toMillis() + " ms");
        }
        return Optional.ofNullable(r.packet);
    }

    /** Reads the next packet and asserts its type. */
    public RawPacket expect(int type) {
        RawPacket p = receive();
        assertThat(p.type()).as("%s: type of %s", name, p).isEqualTo(type);
        return p;
    }

    /** Reads the next packet and asserts it is {@code type} with {@code packetId} and the flags 3.1.1 requires. */
    public RawPacket expectAck(int type, int packetId) {
        RawPacket p = expect(type);
        assertThat(p.flags()).as("%s: fixed-header flags of %s", name, p).isEqualTo(type == Packets.PUBREL ? 2 : 0);
        assertThat(p.body()).as("%s: body of %s", name, p).hasSize(2);
        assertThat(p.packetId()).as("%s: packet identifier of %s", name, p).isEqualTo(packetId);
        return p;
    }

    /**
     * Like {@link #expectAck} ({@code packetId} is ignored for PINGRESP), but PUBLISH packets that arrive first (a client's own subscription can deliver
     * before the acknowledgement) are kept for the next {@link #receive} instead of failing.
     */
    public RawPacket awaitAck(int type, int packetId) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Deque<RawPacket> early = new ArrayDeque<>();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(name + ": expected " + Packets.typeName(type) + " " + packetId
                            + " but none arrived within " + TIMEOUT.toMillis() + " ms; received meanwhile " + early);
                }
                RawPacket p = receive(Duration.ofNanos(left));
                if (p.type() == Packets.PUBLISH && type != Packets.PUBLISH) {
                    early.add(p);
                    continue;
                }
                assertThat(p.type()).as("%s: type of %s", name, p).isEqualTo(type);
                assertThat(p.flags()).as("%s: fixed-header flags of %s", name, p)
                        .isEqualTo(type == Packets.PUBREL ? 2 : 0);
                if (type == Packets.PINGRESP) {
                    assertThat(p.body()).as("%s: PINGRESP remaining length", name).isEmpty();
                } else {
                    assertThat(p.packetId()).as("%s: packet identifier of %s", name, p).isEqualTo(packetId);
                }
                return p;
            }
        } finally {
            // keep the stream order for the caller: the early packets first, then what was stashed before
            while (!early.isEmpty()) {
                stashed.addFirst(early.pollLast());
            }
        }
    }

    /** Reads a CONNACK. */
    public RawPacket.Connack expectConnack() {
        RawPacket p = expect(Packets.CONNACK);
        assertThat(p.flags()).as("%s: CONNACK fixed-header flags", name).isZero();
        assertThat(p.body()).as("%s: CONNACK remaining length", name).hasSize(2);
        return p.connack();
    }

    /**
     * Reads an MQTT 5 CONNACK: flags, reason code, then a property block whose length (a Variable Byte Integer)
     * MUST cover exactly the rest of the packet.
     */
    public RawPacket.Connack expectConnack5() {
        RawPacket p = expect(Packets.CONNACK);
        assertThat(p.flags()).as("%s: CONNACK fixed-header flags", name).isZero();
        byte[] body = p.body();
        assertThat(body.length).as("%s: CONNACK remaining length", name).isGreaterThanOrEqualTo(3);
        int length = 0;
        int at = 2;
        for (int shift = 0; ; shift += 7) {
            int b = body[at++] & 0xFF;
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        assertThat(body.length - at).as("%s: CONNACK property length", name).isEqualTo(length);
        return p.connack();
    }

    /** Reads a PUBLISH. */
    public RawPacket.Publish expectPublish() {
        return expect(Packets.PUBLISH).publish();
    }

    /** Reads a SUBACK and asserts its packet identifier. */
    public RawPacket.Suback expectSuback(int packetId) {
        RawPacket.Suback s = expect(Packets.SUBACK).suback();
        assertThat(s.packetId()).as("%s: SUBACK packet identifier", name).isEqualTo(packetId);
        return s;
    }

    /** Asserts that nothing arrives within {@code quiet} and that the connection stays open. */
    public void expectNoPacket(Duration quiet) {
        if (!stashed.isEmpty()) {
            throw new AssertionError(name + ": expected no packet but received " + stashed.peek());
        }
        ReadResult r = read(quiet);
        if (r.packet != null) {
            throw new AssertionError(name + ": expected no packet but received " + r.packet);
        }
        if (r.closed) {
            throw new AssertionError(name + ": expected the connection to stay open but the server closed it ("
                    + closeCause() + ")");
        }
    }

    /** Asserts that the server closes the connection within {@link #TIMEOUT} without sending anything first. */
    public void expectClosed() {
        expectClosed(TIMEOUT);
    }

    /**
     * Asserts that the server closes the connection (end of stream or reset) within {@code timeout} without
     * sending any packet first.
     */
    public void expectClosed(Duration timeout) {
        if (!stashed.isEmpty()) {
            throw new AssertionError(name + ": expected the server to close the connection but it sent "
                    + stashed.peek());
        }
        ReadResult r = read(timeout);
        if (r.packet != null) {
            throw new AssertionError(name + ": expected the server to close the connection but it sent " + r.packet);
        }
        if (!r.closed) {
            throw new AssertionError(name + ": expected the server to close the connection within "
                    + timeout.toMillis() + " ms but it stayed open");
        }
    }

    /** Whether the server has been seen closing the connection. */
    public boolean closedByServer() {
        return closedBecause != null || writeFailure != null;
    }

    private String closeCause() {
        return writeFailure == null ? closedBecause : closedBecause + "; an earlier write failed: " + writeFailure;
    }

    // ---- conveniences for the well-formed flows ----

    /** Sends {@code connect} and returns the CONNACK. */
    public RawPacket.Connack connect(Packets.Connect connect) {
        send(connect.build());
        return expectConnack();
    }

    /** Connects with {@code clientId} and a clean session and asserts the connection is accepted. */
    public RawMqttClient connect(String clientId) {
        return connectAccepted(Packets.connect(clientId));
    }

    /** Sends {@code connect} and asserts CONNACK return code 0. */
    public RawMqttClient connectAccepted(Packets.Connect connect) {
        RawPacket.Connack ack = connect(connect);
        assertThat(ack.returnCode()).as("%s: CONNACK return code", name).isZero();
        return this;
    }

    /** Subscribes to {@code filter} at {@code qos} and asserts that QoS is granted. */
    public RawMqttClient subscribe(String filter, int qos) {
        int id = nextPacketId();
        send(Packets.subscribe(id, filter, qos));
        assertThat(awaitAck(Packets.SUBACK, id).suback().returnCodes()).as("%s: SUBACK for %s", name, filter)
                .containsExactly(qos);
        return this;
    }

    /** Unsubscribes from {@code filter} and waits for the UNSUBACK. */
    public RawMqttClient unsubscribe(String filter) {
        int id = nextPacketId();
        send(Packets.unsubscribe(id, filter).build());
        awaitAck(Packets.UNSUBACK, id);
        return this;
    }

    /**
     * Publishes and completes the QoS flow as a well-behaved client: nothing for QoS 0, waits for PUBACK for QoS
     * 1, PUBREC/PUBREL/PUBCOMP for QoS 2. Fails if another packet arrives in between.
     */
    public RawMqttClient publish(String topic, int qos, String payload, boolean retain) {
        int id = qos > 0 ? nextPacketId() : 0;
        send(Packets.publish(topic, qos, payload).retain(retain).packetId(id).build());
        completePublish(qos, id);
        return this;
    }

    /** Publishes a non-retained message; see {@link #publish(String, int, String, boolean)}. */
    public RawMqttClient publish(String topic, int qos, String payload) {
        return publish(topic, qos, payload, false);
    }

    private void completePublish(int qos, int id) {
        if (qos == 1) {
            awaitAck(Packets.PUBACK, id);
        } else if (qos == 2) {
            awaitAck(Packets.PUBREC, id);
            send(Packets.pubrel(id));
            awaitAck(Packets.PUBCOMP, id);
        }
    }

    /**
     * Sends PINGREQ and waits for PINGRESP: a barrier, since the server handles a connection's packets in
     * order, everything sent before has been processed when it returns.
     */
    public RawMqttClient ping() {
        send(Packets.pingreq());
        awaitAck(Packets.PINGRESP, -1);
        return this;
    }

    /**
     * Acknowledges a received PUBLISH as its QoS requires: PUBACK for QoS 1; PUBREC, then the PUBREL the server
     * must send, then PUBCOMP for QoS 2.
     */
    public RawMqttClient acknowledge(RawPacket.Publish p) {
        if (p.qos() == 1) {
            send(Packets.puback(p.packetId()));
        } else if (p.qos() == 2) {
            send(Packets.pubrec(p.packetId()));
            awaitAck(Packets.PUBREL, p.packetId());
            send(Packets.pubcomp(p.packetId()));
        }
        return this;
    }

    /** Reads a PUBLISH and acknowledges it as its QoS requires. */
    public RawPacket.Publish receiveAndAcknowledge() {
        RawPacket.Publish p = expectPublish();
        acknowledge(p);
        return p;
    }

    /** Sends DISCONNECT and closes the socket, as a well-behaved client does. */
    public void disconnect() {
        send(Packets.disconnect());
        close();
    }

    /** Resets the connection without DISCONNECT, as a crashed client or a broken network would. */
    public void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed: nothing to reset
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "RawMqttClient[" + name + ", local port " + socket.getLocalPort() + "]";
    }

    // ---- reading ----

    private record ReadResult(RawPacket packet, boolean closed) {
    }

    private static final class Timeout extends Exception {
        Timeout() {
            super(null, null, false, false);
        }
    }

    private ReadResult read(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int first;
        try {
            first = readByte(deadline);
        } catch (Timeout t) {
            return new ReadResult(null, false);
        }
        if (first < 0) {
            return new ReadResult(null, true);
        }
        try {
            // a packet has started: its rest must follow promptly, whatever the caller's wait was
            long rest = Math.max(deadline, System.nanoTime() + TIMEOUT.toNanos());
            int length = 0;
            int multiplier = 1;
            for (int i = 0; ; i++) {
                int b = readByte(rest);
                if (b < 0) {
                    throw new AssertionError(name + ": connection closed inside a fixed header");
                }
                length += (b & 0x7F) * multiplier;
                if ((b & 0x80) == 0) {
                    break;
                }
                if (i == 3) {
                    throw new AssertionError(name + ": the server sent a remaining length longer than 4 bytes");
                }
                multiplier *= 128;
            }
            byte[] body = new byte[length];
            for (int off = 0; off < length; ) {
                int n = readChunk(body, off, length - off, rest);
                if (n < 0) {
                    throw new AssertionError(name + ": connection closed inside a packet of " + length + " bytes ("
                            + Packets.typeName(first >> 4) + ")");
                }
                off += n;
            }
            return new ReadResult(new RawPacket(first >> 4 & 0x0F, first & 0x0F, body), false);
        } catch (Timeout t) {
            throw new AssertionError(name + ": a packet started (" + Packets.typeName(first >> 4)
                    + ") but did not complete within " + TIMEOUT.toMillis() + " ms");
        }
    }

    private int readByte(long deadline) throws Timeout {
        byte[] one = new byte[1];
        int n = readChunk(one, 0, 1, deadline);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    private int readChunk(byte[] buf, int off, int len, long deadline) throws Timeout {
        long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
        if (remainingMillis <= 0) {
            throw new Timeout();
        }
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
            int n = in.read(buf, off, len);
            if (n < 0) {
                closedBecause = "end of stream";
            }
            return n;
        } catch (SocketTimeoutException e) {
            throw new Timeout();
        } catch (IOException e) {
            closedBecause = e.getClass().getSimpleName() + ": " + e.getMessage();
            return -1;
        }
    }

    /** The bytes of a UTF-8 string, for assertions on payloads. */
    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
