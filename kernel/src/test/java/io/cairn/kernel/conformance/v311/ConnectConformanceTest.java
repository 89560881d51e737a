package io.cairn.kernel.conformance.v311;

import static io.cairn.kernel.testsupport.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.broker.ClientInfo;
import io.cairn.kernel.testsupport.BrokerConfig;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 3.1.1 §3.1 CONNECT and §3.2 CONNACK, as the server must handle them. */
class ConnectConformanceTest {

    /**
     * How soon an invalid CONNECT must be answered by a close: well inside the suite's connect timeout of 10 s,
     * so that a broker that merely waits for more bytes (and is then cut off by the timeout) fails.
     */
    static final Duration PROMPTLY = Duration.ofSeconds(5);

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @Test
    @Tag("MQTT-3.1.4-4")
    @Tag("MQTT-3.1.4-3")
    @Tag("MQTT-3.2.0-1")
    @Tag("MQTT-3.2.2-1")
    @DisplayName("[MQTT-3.1.4-4] [MQTT-3.2.0-1] [MQTT-3.2.2-1] a valid CONNECT is answered first with CONNACK 0, "
            + "session present 0")
    void validConnectIsAccepted() {
        RawMqttClient c = broker.rawClient("c");
        RawPacket.Connack ack = c.connect(Packets.connect("connect-valid"));

        assertThat(ack.returnCode()).isZero();
        assertThat(ack.sessionPresent()).isFalse();
        assertThat(ack.reservedBits()).isZero();
        c.ping();
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> assertThat(broker.broker().clients())
                .extracting(ClientInfo::clientId).contains("connect-valid"));
    }

    @Test
    @Tag("MQTT-3.1.0-1")
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-3.1.0-1] [MQTT-4.8.0-1] a first packet other than CONNECT (PINGREQ) closes the connection")
    void firstPacketPingreqCloses() {
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.pingreq());
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-3.1.0-1")
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-3.1.0-1] [MQTT-4.8.0-1] a first packet other than CONNECT (PUBLISH) closes the connection "
            + "and is not routed")
    void firstPacketPublishClosesAndIsNotRouted() {
        RawMqttClient sub = broker.connect("connect-first-sub").subscribe("first/#", 0);
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.publish("first/publish", 0, "must not be routed").build());
        c.expectClosed();

        sub.publish("first/marker", 0, "marker");
        assertThat(sub.expectPublish().topic()).isEqualTo("first/marker");
    }

    @Test
    @Tag("MQTT-3.1.0-1")
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-3.1.0-1] [MQTT-4.8.0-1] a first packet other than CONNECT (SUBSCRIBE) closes the connection")
    void firstPacketSubscribeCloses() {
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.subscribe(1, "a/b", 0));
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-3.1.0-2")
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-3.1.0-2] a second CONNECT on the same connection closes it")
    void secondConnectCloses() {
        RawMqttClient c = broker.connect("connect-twice");
        c.send(Packets.connect("connect-twice").build());
        c.expectClosed(PROMPTLY);
    }

    @Test
    @Tag("MQTT-3.1.2-1")
    @DisplayName("[MQTT-3.1.2-1] a wrong protocol name is not accepted as MQTT: the connection is closed")
    void wrongProtocolNameCloses() {
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.connect("connect-bad-name").protocolName("MQTX").build());
        expectRefusedOrClosed(c);
    }

    @Test
    @Tag("MQTT-3.1.2-1")
    @DisplayName("[MQTT-3.1.2-1] the protocol name is case sensitive: 'mqtt' is not accepted")
    void lowerCaseProtocolNameCloses() {
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.connect("connect-lower-name").protocolName("mqtt").build());
        expectRefusedOrClosed(c);
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {0, 1, 2, 6, 255})
    @Tag("MQTT-3.1.2-2")
    @Tag("MQTT-3.2.2-4")
    @Tag("MQTT-3.2.2-5")
    @DisplayName("[MQTT-3.1.2-2] [MQTT-3.2.2-4] [MQTT-3.2.2-5] an unsupported protocol level gets CONNACK 0x01, "
            + "session present 0, then the connection is closed")
    void unsupportedProtocolLevel(int level) {
        RawMqttClient c = broker.rawClient("c");
        RawPacket.Connack ack = c.connect(Packets.connect("connect-level-" + level).protocolLevel(level));

        assertThat(ack.returnCode()).isEqualTo(0x01);
        assertThat(ack.sessionPresent()).isFalse();
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-3.1.2-3")
    @Tag("MQTT-3.1.4-1")
    @DisplayName("[MQTT-3.1.2-3] [MQTT-3.1.4-1] the reserved connect flag set closes the connection without CONNACK")
    void reservedFlagCloses() {
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.connect("connect-reserved").reservedFlag(true).build());
        c.expectClosed(PROMPTLY);
    }

    @ParameterizedTest(name = "client id ''{0}''")
    @ValueSource(strings = {"a", "Z9", "abcdefghijklmnopqrstuvw", "0123456789ABCDEFGHIJKLM"})
    @Tag("MQTT-3.1.3-5")
    @DisplayName("[MQTT-3.1.3-5] client identifiers of 1 to 23 characters 0-9a-zA-Z are accepted")
    void allowedClientIds(String clientId) {
        RawMqttClient c = broker.rawClient("c");
        RawPacket.Connack ack = c.connect(Packets.connect(clientId));
        assertThat(ack.returnCode()).isZero();
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> assertThat(broker.broker().clients())
                .extracting(ClientInfo::clientId).contains(clientId));
    }

    @Test
    @Tag("MQTT-3.1.3-5")
    @DisplayName("[MQTT-3.1.3-5] an MQTT 3.1.1 client identifier longer than 23 bytes with other characters is "
            + "accepted (the server may allow it)")
    void longClientIdAcceptedIn311() {
        String id = "a-much-longer-client-identifier/with.punctuation:and-more-than-23-bytes";
        RawMqttClient c = broker.rawClient("c");
        assertThat(c.connect(Packets.connect(id)).returnCode()).isZero();
    }

    @Test
    @Tag("MQTT-3.1.3-6")
    @DisplayName("[MQTT-3.1.3-6] an empty client identifier with clean session gets a unique identifier assigned")
    void emptyClientIdWithCleanSession() {
        RawMqttClient first = broker.rawClient("first");
        RawMqttClient second = broker.rawClient("second");
        assertThat(first.connect(Packets.connect("").cleanSession(true)).returnCode()).isZero();
        assertThat(second.connect(Packets.connect("").cleanSession(true)).returnCode()).isZero();

        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> {
            List<String> ids = broker.broker().clients().stream().map(ClientInfo::clientId).toList();
            assertThat(ids).hasSize(2).doesNotHaveDuplicates().allSatisfy(id -> assertThat(id).isNotEmpty());
        });
        // both work as independent clients: each receives its own subscription's messages
        first.subscribe("assigned/first", 0);
        second.subscribe("assigned/second", 0);
        second.publish("assigned/first", 0, "to first");
        assertThat(first.expectPublish().payloadText()).isEqualTo("to first");
        first.publish("assigned/second", 0, "to second");
        assertThat(second.expectPublish().payloadText()).isEqualTo("to second");
    }

    @Test
    @Tag("MQTT-3.1.3-8")
    @Tag("MQTT-3.2.2-4")
    @Tag("MQTT-3.2.2-5")
    @DisplayName("[MQTT-3.1.3-8] [MQTT-3.2.2-4] [MQTT-3.2.2-5] an empty client identifier without clean session "
            + "gets CONNACK 0x02, session present 0, then the connection is closed")
    void emptyClientIdWithoutCleanSession() {
        RawMqttClient c = broker.rawClient("c");
        RawPacket.Connack ack = c.connect(Packets.connect("").cleanSession(false));

        assertThat(ack.returnCode()).isEqualTo(0x02);
        assertThat(ack.sessionPresent()).isFalse();
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-3.1.3-9")
    @Tag("MQTT-3.2.2-5")
    @DisplayName("[MQTT-3.1.3-9] MQTT 3.1: a client identifier longer than 23 characters gets CONNACK 0x02, then "
            + "the connection is closed")
    void mqtt31LongClientIdRejected() {
        RawMqttClient c = broker.rawClient("c");
        RawPacket.Connack ack = c.connect(Packets.connect("abcdefghijklmnopqrstuvwx").mqtt31());

        assertThat(ack.returnCode()).isEqualTo(0x02);
        assertThat(ack.sessionPresent()).isFalse();
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-3.1.3-9")
    @DisplayName("[MQTT-3.1.3-9] MQTT 3.1: an empty client identifier gets CONNACK 0x02, then the connection is "
            + "closed")
    void mqtt31EmptyClientIdRejected() {
        RawMqttClient c = broker.rawClient("c");
        RawPacket.Connack ack = c.connect(Packets.connect("").mqtt31());

        assertThat(ack.returnCode()).isEqualTo(0x02);
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-3.1.3-5")
    @DisplayName("[MQTT-3.1.3-5] MQTT 3.1 (MQIsdp, level 3) with a 23-character client identifier is accepted and "
            + "listed as protocol level 3")
    void mqtt31Accepted() {
        RawMqttClient c = broker.rawClient("c");
        assertThat(c.connect(Packets.connect("abcdefghijklmnopqrstuvw").mqtt31()).returnCode()).isZero();
        c.subscribe("mqtt31/t", 1);
        c.publish("mqtt31/t", 1, "hello 3.1");
        RawPacket.Publish p = c.receiveAndAcknowledge();
        assertThat(p.payloadText()).isEqualTo("hello 3.1");
        assertThat(broker.broker().clients()).filteredOn(i -> i.clientId().equals("abcdefghijklmnopqrstuvw"))
                .singleElement().extracting(ClientInfo::protocolLevel).isEqualTo(3);
    }

    @Test
    @Tag("MQTT-3.1.2-22")
    @Tag("MQTT-3.1.4-1")
    @Tag("MQTT-3.2.2-6")
    @DisplayName("[MQTT-3.1.2-22] [MQTT-3.1.4-1] [MQTT-3.2.2-6] a password without a user name closes the "
            + "connection without CONNACK")
    void passwordWithoutUsernameCloses() {
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.connect("connect-pw-only").password("secret").build());
        c.expectClosed(PROMPTLY);
    }

    @Test
    @Tag("MQTT-3.1.2-14")
    @Tag("MQTT-3.1.4-1")
    @DisplayName("[MQTT-3.1.2-14] [MQTT-3.1.4-1] a will with QoS 3 closes the connection without CONNACK")
    void willQos3Closes() {
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.connect("connect-will-qos3").will("will/t", "bye", 3, false).build());
        c.expectClosed(PROMPTLY);
    }

    @Test
    @Tag("MQTT-3.1.2-13")
    @Tag("MQTT-3.1.2-11")
    @Tag("MQTT-3.1.4-1")
    @DisplayName("[MQTT-3.1.2-13] [MQTT-3.1.2-11] [MQTT-3.1.4-1] will QoS bits set without the will flag close the "
            + "connection without CONNACK")
    void willQosWithoutWillFlagCloses() {
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.connect("connect-will-qos-only").willQos(1).build());
        c.expectClosed(PROMPTLY);
    }

    @Test
    @Tag("MQTT-3.1.2-15")
    @Tag("MQTT-3.1.2-11")
    @Tag("MQTT-3.1.4-1")
    @DisplayName("[MQTT-3.1.2-15] [MQTT-3.1.2-11] [MQTT-3.1.4-1] the will retain bit set without the will flag "
            + "closes the connection without CONNACK")
    void willRetainWithoutWillFlagCloses() {
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.connect("connect-will-retain-only").willRetain(true).build());
        c.expectClosed(PROMPTLY);
    }

    @Test
    @Tag("MQTT-3.1.2-9")
    @Tag("MQTT-3.1.4-1")
    @DisplayName("[MQTT-3.1.2-9] [MQTT-3.1.4-1] the will flag without will topic and message fields closes the "
            + "connection without CONNACK")
    void willFlagWithoutWillFieldsCloses() {
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.connect("connect-will-missing").willFlag(true).build());
        c.expectClosed(PROMPTLY);
    }

    @Test
    @Tag("MQTT-3.1.2-19")
    @Tag("MQTT-3.1.4-1")
    @DisplayName("[MQTT-3.1.2-19] [MQTT-3.1.4-1] the user name flag without a user name field closes the "
            + "connection without CONNACK")
    void usernameFlagWithoutUsernameCloses() {
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.connect("connect-user-missing").usernameFlag(true).build());
        c.expectClosed(PROMPTLY);
    }

    @Test
    @Tag("MQTT-3.1.2-19")
    @Tag("MQTT-3.1.2-21")
    @Tag("MQTT-3.1.4-4")
    @DisplayName("[MQTT-3.1.2-19] [MQTT-3.1.2-21] user name and password are accepted and the user name is listed")
    void usernameAndPasswordAccepted() {
        RawMqttClient c = broker.rawClient("c");
        assertThat(c.connect(Packets.connect("connect-user").username("alice").password("pw")).returnCode()).isZero();
        await().atMost(RawMqttClient.TIMEOUT).untilAsserted(() -> assertThat(broker.broker().clients())
                .filteredOn(i -> i.clientId().equals("connect-user"))
                .singleElement().extracting(ClientInfo::username).isEqualTo("alice"));
    }

    @Test
    @Tag("MQTT-3.1.3-4")
    @Tag("MQTT-1.5.3-1")
    @Tag("MQTT-3.1.4-1")
    @DisplayName("[MQTT-3.1.3-4] [MQTT-1.5.3-1] [MQTT-3.1.4-1] a client identifier that is not well-formed UTF-8 "
            + "closes the connection without CONNACK")
    void clientIdNotUtf8Closes() {
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.connect("").clientIdBytes(bytes('i', 'd', 0xC3, 0x28)).build());  // C3 28: broken 2-byte
        c.expectClosed(PROMPTLY);
    }

    @Test
    @Tag("MQTT-3.1.4-5")
    @DisplayName("[MQTT-3.1.4-5] after a rejected CONNECT, packets already sent behind it are not processed")
    void noProcessingAfterRejectedConnect() {
        RawMqttClient watcher = broker.connect("connect-watcher").subscribe("rejected/#", 1);
        RawMqttClient c = broker.rawClient("c");
        c.send(Packets.connect("connect-rejected").protocolLevel(42).build(),                    // refused: 0x01
                Packets.publish("rejected/retained", 1, "must not be stored").retain(true).build(),
                Packets.subscribe(2, "rejected/#", 0));
        RawPacket.Connack ack = c.expectConnack();
        assertThat(ack.returnCode()).isEqualTo(0x01);
        c.expectClosed();

        // the PUBLISH was neither routed nor retained: a fresh subscriber sees only the marker
        watcher.publish("rejected/marker", 0, "marker");
        assertThat(watcher.expectPublish().topic()).isEqualTo("rejected/marker");
        RawMqttClient late = broker.connect("connect-late").subscribe("rejected/#", 1);
        late.publish("rejected/marker2", 0, "marker2");
        assertThat(late.expectPublish().topic()).isEqualTo("rejected/marker2");
    }

    @Test
    @Tag("connect-timeout")
    @DisplayName("a connection that sends no CONNECT is closed once the connect timeout passes (§3.1, non-normative)")
    void silentConnectionClosedAfterConnectTimeout() throws Exception {
        try (TestBroker b = TestBroker.start(BrokerConfig.standard().connectTimeoutSeconds(1))) {
            RawMqttClient c = b.rawClient("silent");
            long start = System.nanoTime();
            c.expectClosed(Duration.ofSeconds(10));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
    }

    @Test
    @Tag("MQTT-3.12.4-1")
    @DisplayName("[MQTT-3.12.4-1] PINGREQ is answered with PINGRESP")
    void pingreqAnsweredWithPingresp() {
        RawMqttClient c = broker.connect("connect-ping");
        for (int i = 0; i < 3; i++) {
            c.send(Packets.pingreq());
            RawPacket p = c.expect(Packets.PINGRESP);
            assertThat(p.flags()).isZero();
            assertThat(p.body()).isEmpty();
        }
    }

    /**
     * A CONNECT the server must not treat as MQTT 3.1.1: it may answer CONNACK 0x01 (unacceptable protocol) first,
     * but it must close the connection and must never accept it.
     */
    private static void expectRefusedOrClosed(RawMqttClient c) {
        Optional<RawPacket> first = c.receiveUnlessClosed(RawMqttClient.TIMEOUT);
        if (first.isPresent()) {
            RawPacket p = first.get();
            assertThat(p.type()).as("only a refusing CONNACK may precede the close").isEqualTo(Packets.CONNACK);
            assertThat(p.connack().returnCode()).as("CONNACK return code").isNotZero();
            c.expectClosed();
        }
    }
}
