package io.cairn.kernel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.cairn.api.auth.Authentication;
import io.cairn.api.auth.Authenticator;
import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.message.ReasonCode;
import io.cairn.kernel.Kernel;
import io.cairn.kernel.auth.Provider;
import io.cairn.kernel.embedded.BrokerSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The connection state machine and the codec's edge cases, driven byte by byte through the kernel's real
 * pipeline in an {@link EmbeddedChannel}.
 */
class MqttConnectionTest {

    private Kernel kernel = Kernel.start(BrokerSettings.builder().ioThreads(1).maxPacketSize(1024).build());

    @AfterEach
    void stop() {
        kernel.close();
    }

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        kernel.security().configure("test", ListenerSecurity.allProviders(true)); // no authenticator: anonymous
        kernel.transportContext().initPipeline(ch, "test");
        return ch;
    }

    /** Feeds bytes in and returns every byte the broker wrote back (after pending tasks ran). */
    private static byte[] exchange(EmbeddedChannel ch, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        ch.writeInbound(Unpooled.wrappedBuffer(b));
        return drain(ch);
    }

    private static byte[] drain(EmbeddedChannel ch) {
        ch.runPendingTasks();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) o;
            out.writeBytes(ByteBufUtil.getBytes(buf));
            buf.release();
        }
        return out.toByteArray();
    }

    private static int[] connect(int level, int flags, String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        String name = level == 3 ? "MQIsdp" : "MQTT";
        int remaining = 2 + name.length() + 1 + 1 + 2 + 2 + id.length;
        int[] p = new int[2 + remaining];
        int i = 0;
        p[i++] = 0x10;                          // CONNECT
        p[i++] = remaining;                     // remaining length (< 128 here)
        p[i++] = 0;
        p[i++] = name.length();                 // protocol name length
        for (char c : name.toCharArray()) {
            p[i++] = c;                         // protocol name
        }
        p[i++] = level;                         // protocol level
        p[i++] = flags;                         // connect flags
        p[i++] = 0;
        p[i++] = 60;                            // keep-alive 60 s
        p[i++] = id.length >> 8;
        p[i++] = id.length & 0xFF;              // client id length
        for (byte b : id) {
            p[i++] = b & 0xFF;                  // client id
        }
        return p;
    }

    private static final int CLEAN = 0x02;

    private EmbeddedChannel connected(String clientId) {
        EmbeddedChannel ch = channel();
        assertThat(exchange(ch, connect(4, CLEAN, clientId))).containsExactly(0x20, 0x02, 0x00, 0x00);
        return ch;
    }

    @Test
    @Tag("MQTT-3.2.0-1")
    @DisplayName("[MQTT-3.2.0-1] a valid CONNECT is answered with CONNACK 0x00")
    void connectAccepted() {
        EmbeddedChannel ch = connected("c1");
        assertThat(ch.isActive()).isTrue();
        assertThat(kernel.broker().clients()).extracting(c -> c.clientId()).containsExactly("c1");
        ch.close();
        assertFalse(ch.finish());
    }

    @Test
    @Tag("MQTT-3.1.0-1")
    @DisplayName("[MQTT-3.1.0-1] a first packet other than CONNECT closes the connection")
    void firstPacketMustBeConnect() {
        EmbeddedChannel ch = channel();
        assertThat(exchange(ch, 0xC0, 0x00)).isEmpty(); // PINGREQ
        assertThat(ch.isActive()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    @Tag("MQTT-3.1.0-2")
    @DisplayName("[MQTT-3.1.0-2] a second CONNECT closes the connection")
    void secondConnectCloses() {
        EmbeddedChannel ch = connected("c2");
        assertThat(exchange(ch, connect(4, CLEAN, "c2"))).isEmpty();
        assertThat(ch.isActive()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    @Tag("MQTT-3.1.2-2")
    @DisplayName("[MQTT-3.1.2-2] an unsupported protocol level gets CONNACK 0x01 and the connection closes")
    void unsupportedLevel() {
        EmbeddedChannel ch = channel();
        assertThat(exchange(ch, connect(7, CLEAN, "c3"))).containsExactly(0x20, 0x02, 0x00, 0x01);
        assertThat(ch.isActive()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    @Tag("MQTT-3.1.3-8")
    @DisplayName("[MQTT-3.1.3-8] an empty client id without clean session gets CONNACK 0x02")
    void emptyClientIdNeedsCleanSession() {
        EmbeddedChannel ch = channel();
        assertThat(exchange(ch, connect(4, 0, ""))).containsExactly(0x20, 0x02, 0x00, 0x02);
        assertThat(ch.isActive()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    @Tag("MQTT-3.1.3-6")
    @DisplayName("[MQTT-3.1.3-6] an empty client id with clean session is accepted under a unique assigned id")
    void emptyClientIdAssigned() {
        EmbeddedChannel a = connected("");
        EmbeddedChannel b = connected("");
        assertThat(kernel.broker().clients()).hasSize(2)
                .allSatisfy(c -> assertThat(c.clientId()).startsWith("cairn-"));
        a.close();
        b.close();
        assertFalse(a.finish());
        assertFalse(b.finish());
    }

    @Test
    @DisplayName("an MQTT 3.1 client id longer than 23 characters gets CONNACK 0x02")
    void mqtt31ClientIdTooLong() {
        EmbeddedChannel ch = channel();
        assertThat(exchange(ch, connect(3, CLEAN, "x".repeat(24)))).containsExactly(0x20, 0x02, 0x00, 0x02);
        assertThat(ch.isActive()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    @DisplayName("an MQTT 3.1 (MQIsdp) client is accepted, its CONNACK carries no session-present flag")
    void mqtt31Accepted() {
        EmbeddedChannel ch = channel();
        assertThat(exchange(ch, connect(3, 0, "old-client"))).containsExactly(0x20, 0x02, 0x00, 0x00);
        ch.close();
        EmbeddedChannel again = channel();
        assertThat(exchange(again, connect(3, 0, "old-client"))).containsExactly(0x20, 0x02, 0x00, 0x00);
        again.close();
        assertFalse(ch.finish());
        assertFalse(again.finish());
    }

    @Test
    @Tag("MQTT-3.2.2-2")
    @DisplayName("[MQTT-3.2.2-2] [MQTT-3.2.2-3] session present is 0 for a new persistent session and 1 on resume")
    void sessionPresent() {
        EmbeddedChannel first = channel();
        assertThat(exchange(first, connect(4, 0, "p1"))).containsExactly(0x20, 0x02, 0x00, 0x00);
        first.close();
        EmbeddedChannel second = channel();
        assertThat(exchange(second, connect(4, 0, "p1"))).containsExactly(0x20, 0x02, 0x01, 0x00);
        second.close();
        assertFalse(first.finish());
        assertFalse(second.finish());
    }

    @Test
    @Tag("MQTT-3.1.2-22")
    @DisplayName("[MQTT-3.1.2-22] a password without a user name closes the connection")
    void passwordWithoutUsername() {
        EmbeddedChannel ch = channel();
        int[] p = connect(4, CLEAN | 0x40, "c4");
        int[] withPassword = java.util.Arrays.copyOf(p, p.length + 4);
        withPassword[1] += 4;
        withPassword[p.length + 1] = 2;   // password length 2
        withPassword[p.length + 2] = 'p';
        withPassword[p.length + 3] = 'w'; // password
        assertThat(exchange(ch, withPassword)).isEmpty();
        assertThat(ch.isActive()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    @Tag("MQTT-3.1.2-13")
    @DisplayName("[MQTT-3.1.2-13] will QoS without the will flag closes the connection")
    void willQosWithoutWillFlag() {
        EmbeddedChannel ch = channel();
        assertThat(exchange(ch, connect(4, CLEAN | 0x08, "c5"))).isEmpty();
        assertThat(ch.isActive()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    @Tag("MQTT-3.1.2-3")
    @DisplayName("[MQTT-3.1.2-3] a set reserved CONNECT flag closes the connection")
    void reservedConnectFlag() {
        EmbeddedChannel ch = channel();
        assertThat(exchange(ch, connect(4, CLEAN | 0x01, "c6"))).isEmpty();
        assertThat(ch.isActive()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    @DisplayName("refusals of an authenticator map to CONNACK 0x04 and 0x05; the connection limit to 0x03")
    void refusalReturnCodes() {
        kernel.authProviders(List.of(Provider.<Authenticator>of(request -> Authentication.reject(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
                null), "bad", 0)), List.of());
        EmbeddedChannel bad = channel();
        assertThat(exchange(bad, connect(4, CLEAN, "g1"))).containsExactly(0x20, 0x02, 0x00, 0x04);
        kernel.authProviders(List.of(Provider.<Authenticator>of(request -> Authentication.reject(ReasonCode.NOT_AUTHORIZED, null),
                "denied", 0)), List.of());
        EmbeddedChannel denied = channel();
        assertThat(exchange(denied, connect(4, CLEAN, "g2"))).containsExactly(0x20, 0x02, 0x00, 0x05);
        assertThat(bad.isActive()).isFalse();
        assertThat(denied.isActive()).isFalse();
        assertFalse(bad.finish());
        assertFalse(denied.finish());

        kernel.close();
        kernel = Kernel.start(BrokerSettings.builder().ioThreads(1).maxConnections(1).build());
        EmbeddedChannel first = connected("only");
        EmbeddedChannel second = channel();
        assertThat(exchange(second, connect(4, CLEAN, "extra"))).containsExactly(0x20, 0x02, 0x00, 0x03);
        first.close();
        assertFalse(first.finish());
        assertFalse(second.finish());
    }

    @Test
    @Tag("MQTT-3.12.4-1")
    @DisplayName("[MQTT-3.12.4-1] PINGREQ is answered with PINGRESP")
    void ping() {
        EmbeddedChannel ch = connected("ping");
        assertThat(exchange(ch, 0xC0, 0x00)).containsExactly(0xD0, 0x00);
        ch.close();
        assertFalse(ch.finish());
    }

    @Test
    @Tag("MQTT-4.3.3-2")
    @DisplayName("[MQTT-4.3.3-2] QoS 2: PUBREC, then PUBCOMP on PUBREL; a re-sent PUBLISH is not delivered twice")
    void qos2ExactlyOnce() {
        EmbeddedChannel ch = connected("q2");
        // SUBSCRIBE id 1 to "t" at QoS 0: 0x82, len 6, id 00 01, filter 00 01 't', QoS 00
        assertThat(exchange(ch, 0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 't', 0x00))
                .containsExactly(0x90, 0x03, 0x00, 0x01, 0x00);
        // PUBLISH QoS 2 id 7 topic "t" payload "x": 0x34, len 6, 00 01 't', 00 07, 'x'
        int[] publish = {0x34, 0x06, 0x00, 0x01, 't', 0x00, 0x07, 'x'};
        assertThat(exchange(ch, publish)).containsExactly(
                0x30, 0x04, 0x00, 0x01, 't', 'x',   // delivered to ourselves at QoS 0
                0x50, 0x02, 0x00, 0x07);            // PUBREC 7
        publish[0] = 0x3C; // the same PUBLISH again with DUP
        assertThat(exchange(ch, publish)).containsExactly(0x50, 0x02, 0x00, 0x07); // PUBREC only
        assertThat(exchange(ch, 0x62, 0x02, 0x00, 0x07)).containsExactly(0x70, 0x02, 0x00, 0x07);
        ch.close();
        assertFalse(ch.finish());
    }

    @Test
    @Tag("MQTT-3.3.4-1")
    @DisplayName("[MQTT-3.3.4-1] QoS 1 PUBLISH is answered with PUBACK")
    void qos1Puback() {
        EmbeddedChannel ch = connected("q1");
        assertThat(exchange(ch, 0x32, 0x06, 0x00, 0x01, 'a', 0x12, 0x34, 'z')).containsExactly(0x40, 0x02, 0x12, 0x34);
        ch.close();
        assertFalse(ch.finish());
    }

    @Test
    @Tag("MQTT-3.8.4-4")
    @DisplayName("[MQTT-3.8.4-4] SUBACK has one return code per filter, 0x80 for an invalid one")
    void subackPerFilter() {
        EmbeddedChannel ch = connected("sub");
        // SUBSCRIBE id 2: "a/#/b" QoS 1 (invalid), "a/+" QoS 2
        assertThat(exchange(ch, 0x82, 0x10, 0x00, 0x02,
                0x00, 0x05, 'a', '/', '#', '/', 'b', 0x01,
                0x00, 0x03, 'a', '/', '+', 0x02))
                .containsExactly(0x90, 0x04, 0x00, 0x02, 0x80, 0x02);
        ch.close();
        assertFalse(ch.finish());
    }

    @Test
    @Tag("MQTT-2.2.2-2")
    @DisplayName("[MQTT-2.2.2-2] PUBREL with reserved flags 0000 closes the connection")
    void pubrelReservedFlags() {
        assertClosedBy(0x60, 0x02, 0x00, 0x01);
    }

    @Test
    @Tag("MQTT-2.3.1-1")
    @DisplayName("[MQTT-2.3.1-1] a QoS 1 PUBLISH with packet id 0 closes the connection")
    void packetIdZero() {
        assertClosedBy(0x32, 0x06, 0x00, 0x01, 'a', 0x00, 0x00, 'z');
    }

    @Test
    @DisplayName("a remaining length of five bytes closes the connection")
    void remainingLengthTooLong() {
        assertClosedBy(0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
    }

    @Test
    @DisplayName("packet types 0 and 15 close the connection")
    void unknownPacketTypes() {
        assertClosedBy(0x00, 0x00);
        assertClosedBy(0xF0, 0x00);
    }

    @Test
    @Tag("MQTT-1.5.3-1")
    @DisplayName("[MQTT-1.5.3-1] ill-formed UTF-8 in a topic closes the connection")
    void badUtf8() {
        assertClosedBy(0x30, 0x05, 0x00, 0x02, 0xC3, 0x28, 'x');
    }

    @Test
    @Tag("MQTT-1.5.3-2")
    @DisplayName("[MQTT-1.5.3-2] U+0000 in a topic closes the connection")
    void nulInTopic() {
        assertClosedBy(0x30, 0x05, 0x00, 0x02, 'a', 0x00, 'x');
    }

    @Test
    @Tag("MQTT-3.3.2-2")
    @DisplayName("[MQTT-3.3.2-2] a wildcard in a PUBLISH topic closes the connection")
    void wildcardTopic() {
        assertClosedBy(0x30, 0x05, 0x00, 0x02, 'a', '+', 'x');
    }

    @Test
    @DisplayName("a packet above the maximum packet size closes the connection")
    void packetTooLarge() {
        EmbeddedChannel ch = connected("big");
        int[] header = {0x30, 0x80, 0x10}; // remaining length 2048 > 1024
        exchange(ch, header);
        assertThat(ch.isActive()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    @Tag("MQTT-3.14.4-3")
    @DisplayName("[MQTT-3.14.4-3] DISCONNECT closes the connection and discards the will")
    void disconnectDiscardsWill() {
        EmbeddedChannel watcher = connected("watcher");
        exchange(watcher, 0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 'w', 0x00);
        // CONNECT with will: topic "w", message "bye", QoS 0
        EmbeddedChannel ch = channel();
        int[] connect = {0x10, 0x16, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x06, 0x00, 0x3C,
                0x00, 0x02, 'c', 'w', 0x00, 0x01, 'w', 0x00, 0x03, 'b', 'y', 'e'};
        assertThat(exchange(ch, connect)).containsExactly(0x20, 0x02, 0x00, 0x00);
        exchange(ch, 0xE0, 0x00);
        assertThat(ch.isActive()).isFalse();
        assertThat(drain(watcher)).isEmpty();

        EmbeddedChannel again = channel();
        exchange(again, connect);
        again.close(); // a network close: the will goes out
        assertThat(drain(watcher)).containsExactly(0x30, 0x06, 0x00, 0x01, 'w', 'b', 'y', 'e');
        watcher.close();
        assertFalse(ch.finish());
        assertFalse(again.finish());
        assertFalse(watcher.finish());
    }

    private void assertClosedBy(int... packet) {
        EmbeddedChannel other = connected("bystander-" + System.nanoTime());
        EmbeddedChannel ch = connected("offender-" + System.nanoTime());
        exchange(ch, packet);
        assertThat(ch.isActive()).isFalse();
        assertThat(other.isActive()).isTrue();
        assertThat(exchange(other, 0xC0, 0x00)).containsExactly(0xD0, 0x00);
        other.close();
        assertFalse(ch.finish());
        assertFalse(other.finish());
    }
}
