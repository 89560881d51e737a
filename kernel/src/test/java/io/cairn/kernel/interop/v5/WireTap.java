package io.cairn.kernel.interop.v5;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 between client libraries and the test broker that records the PUBLISH packets the
 * clients send, so a test sees what a library put on the wire: whether it used a Topic Alias, and with which
 * topic name; and counts the broker's unacknowledged QoS 1 and 2 deliveries, to check a client's Receive Maximum. Bytes pass unchanged in both directions; a connection closed on one side is closed on the other.
 * {@link #cut()} drops the connections as a network failure would, for clients that cannot be made to.
 */
final class WireTap implements AutoCloseable {

    /** A PUBLISH as a client sent it: its topic name (empty when an alias stands for it) and Topic Alias. */
    record Publish(String topic, Integer topicAlias) {
    }

    private static final int CONNECT = 1;
    private static final int PUBLISH = 3;
    private static final int PUBACK = 4;
    private static final int PUBCOMP = 7;

    private final int brokerPort;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Publish> publishes = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final AtomicInteger maxOutstanding = new AtomicInteger();

    private WireTap(int brokerPort) throws IOException {
        this.brokerPort = brokerPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "wiretap-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a tap in front of the broker listening on {@code brokerPort}. */
    static WireTap start(int brokerPort) throws IOException {
        return new WireTap(brokerPort);
    }

    /** The port clients connect to instead of the broker's. */
    int port() {
        return server.getLocalPort();
    }

    /** Every PUBLISH clients have sent through the tap so far, in order. */
    List<Publish> publishes() {
        return List.copyOf(publishes);
    }

    /**
     * The most QoS 1 and 2 PUBLISH packets the broker had sent on one connection without the client having
     * completed them (PUBACK, PUBCOMP) yet. A broker that sends while the client's acknowledgement is on its way
     * may be seen with one fewer; it is never seen with more than it had.
     */
    int maxServerInflight() {
        return maxOutstanding.get();
    }

    /** What the tap could not parse (empty when all went well), for assertion messages. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
                client.setTcpNoDelay(true);
                broker.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(broker);
                Connection connection = new Connection();
                start("wiretap-up", () -> relay(client, broker, connection, true));
                start("wiretap-down", () -> relay(broker, client, connection, false));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    problems.add("accept: " + e);
                }
            }
        }
    }

    /** What one relayed connection has shown so far; guarded by itself. */
    private static final class Connection {
        int protocolLevel = 4;
        int outstanding;
    }

    private static void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Relays whole packets from {@code from} to {@code to}, each looked at before it is forwarded: so a PUBACK is
     * counted before the broker can react to it, and a PUBLISH to the client before the client can acknowledge it.
     */
    private void relay(Socket from, Socket to, Connection connection, boolean upstream) {
        try (DataInputStream in = new DataInputStream(from.getInputStream()); OutputStream out = to.getOutputStream()) {
            while (true) {
                int first = in.read();
                if (first < 0) {
                    return;
                }
                List<Integer> lengthBytes = new ArrayList<>();
                int length = 0;
                for (int shift = 0; ; shift += 7) {
                    int b = in.readUnsignedByte();
                    lengthBytes.add(b);
                    length |= (b & 0x7F) << shift;
                    if ((b & 0x80) == 0 || shift > 21) {
                        break;
                    }
                }
                byte[] body = new byte[length];
                in.readFully(body);
                look(first, body, connection, upstream);
                out.write(first);
                for (int b : lengthBytes) {
                    out.write(b);
                }
                out.write(body);
                out.flush();
            }
        } catch (EOFException e) {
            // closed in the middle of a packet
        } catch (IOException | RuntimeException e) {
            if (!from.isClosed() && !to.isClosed()) {
                problems.add((upstream ? "client to broker: " : "broker to client: ") + e);
            }
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void look(int first, byte[] body, Connection connection, boolean upstream) {
        int type = first >>> 4;
        int qos = (first >>> 1) & 3;
        synchronized (connection) {
            if (upstream && type == CONNECT && body.length > 6) {
                int nameLength = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
                connection.protocolLevel = body[2 + nameLength] & 0xFF;
            } else if (upstream && type == PUBLISH) {
                publishes.add(parsePublish(first, body, connection.protocolLevel));
            } else if (upstream && (type == PUBACK || type == PUBCOMP)) {
                connection.outstanding--;
            } else if (!upstream && type == PUBLISH && qos > 0) {
                connection.outstanding++;
                maxOutstanding.accumulateAndGet(connection.outstanding, Math::max);
            }
        }
    }

    private static Publish parsePublish(int first, byte[] body, int protocolLevel) {
        int topicLength = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
        String topic = new String(body, 2, topicLength, StandardCharsets.UTF_8);
        int i = 2 + topicLength;
        if (((first >>> 1) & 3) > 0) {
            i += 2; // packet identifier
        }
        if (protocolLevel < 5) {
            return new Publish(topic, null);
        }
        int propertiesLength = 0;
        for (int shift = 0; ; shift += 7) {
            int b = body[i++] & 0xFF;
            propertiesLength |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        int end = i + propertiesLength;
        Integer alias = null;
        while (i < end) {
            int id = body[i++] & 0xFF;
            switch (id) {
                case 0x01 -> i += 1;                                  // Payload Format Indicator
                case 0x02 -> i += 4;                                  // Message Expiry Interval
                case 0x23 -> {                                        // Topic Alias
                    alias = ((body[i] & 0xFF) << 8) | (body[i + 1] & 0xFF);
                    i += 2;
                }
                case 0x03, 0x08, 0x09 -> i += 2 + u16(body, i);       // Content Type, Response Topic, Correlation
                case 0x26 -> {                                        // User Property: two strings
                    i += 2 + u16(body, i);
                    i += 2 + u16(body, i);
                }
                case 0x0B -> {                                        // Subscription Identifier (variable int)
                    while ((body[i++] & 0x80) != 0) {
                        // skip
                    }
                }
                default -> throw new IllegalStateException("unexpected PUBLISH property 0x" + Integer.toHexString(id));
            }
        }
        return new Publish(topic, alias);
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /**
     * Closes every connection relayed so far, on both sides, without a packet: to the broker and to the client it
     * looks like a network failure. The tap keeps accepting new connections.
     */
    void cut() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }

    /** Stops accepting and closes every relayed connection. */
    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
