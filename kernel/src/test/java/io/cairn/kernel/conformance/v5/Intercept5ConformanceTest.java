package io.cairn.kernel.conformance.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.auth.Authentication;
import io.cairn.api.auth.Authenticator;
import io.cairn.api.intercept.ConnectInterceptor;
import io.cairn.api.intercept.ConnectOutcome;
import io.cairn.api.intercept.PublishInterceptor;
import io.cairn.api.intercept.PublishOutcome;
import io.cairn.api.intercept.SubscribeInterceptor;
import io.cairn.api.intercept.SubscribeOutcome;
import io.cairn.api.intercept.UnsubscribeInterceptor;
import io.cairn.api.message.ReasonCode;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.Wire;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Interceptors (and authenticators) may answer with any {@link ReasonCode}; each acknowledgement carries only a
 * code its packet defines
 * (MQTT 5.0 §3.2.2.2, §3.4.2.1, §3.5.2.1, §3.9.3, §3.11.3): a code the packet cannot carry becomes 0x80
 * (Unspecified error), one it can is passed as named. Raw packets, to see the exact bytes. See docs/plugins.md.
 */
class Intercept5ConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private RawMqttClient client5(String clientId) {
        RawMqttClient c = broker.rawClient(clientId);
        c.send(Packets.connect(clientId).cleanSession(true).mqtt5(new byte[0][]).build());
        assertThat(c.expectConnack5().returnCode()).isZero();
        return c;
    }

    private static byte[] publish(String topic, int qos, int packetId) {
        return Packets.frame(0x30 | qos << 1, Wire.concat(Wire.utf8(topic), Wire.u16(packetId), new byte[] {0},
                "x".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @Tag("MQTT-3.4.2-1")
    @Tag("MQTT-3.5.2-1")
    @DisplayName("[MQTT-3.4.2-1] [MQTT-3.5.2-1] a publish interceptor's drop with Banned (no PUBACK/PUBREC code) is "
            + "acknowledged with 0x80; with Payload format invalid, a PUBACK/PUBREC code, as named")
    void pubackAndPubrecCodes() {
        broker.get().embedded().addInterceptor("validator", 0, (PublishInterceptor) (client, message) ->
                PublishOutcome.drop(message.topic().startsWith("banned/") ? ReasonCode.BANNED
                        : ReasonCode.PAYLOAD_FORMAT_INVALID), Map.of());
        RawMqttClient c = client5("intercept-acks");
        c.send(publish("banned/1", 1, 1));
        assertThat(c.expect(Packets.PUBACK).body()).containsExactly(0, 1, 0x80);
        c.send(publish("banned/2", 2, 2));
        assertThat(c.expect(Packets.PUBREC).body()).containsExactly(0, 2, 0x80);
        c.send(publish("data/1", 1, 3));
        assertThat(c.expect(Packets.PUBACK).body()).containsExactly(0, 3, 0x99);
        c.send(publish("data/2", 2, 4));
        assertThat(c.expect(Packets.PUBREC).body()).containsExactly(0, 4, 0x99);
    }

    @Test
    @Tag("MQTT-3.9.3-2")
    @Tag("MQTT-3.11.3-2")
    @DisplayName("[MQTT-3.9.3-2] [MQTT-3.11.3-2] a SUBSCRIBE refused with Banned and an UNSUBSCRIBE refused with "
            + "Quota exceeded (codes SUBACK/UNSUBACK do not define) are answered with 0x80; Not authorized as named")
    void subackAndUnsubackCodes() {
        broker.get().embedded().addInterceptor("policy", 0, (SubscribeInterceptor) (client, s) ->
                s.topicFilter().startsWith("banned/") ? SubscribeOutcome.refuse(ReasonCode.BANNED)
                        : s.topicFilter().startsWith("secret/") ? SubscribeOutcome.refuse(ReasonCode.NOT_AUTHORIZED)
                        : SubscribeOutcome.pass(), Map.of());
        broker.get().embedded().addInterceptor("keeper", 0, (UnsubscribeInterceptor) (client, filter) ->
                filter.startsWith("kept/") ? ReasonCode.QUOTA_EXCEEDED
                        : filter.startsWith("audit/") ? ReasonCode.NOT_AUTHORIZED : null, Map.of());
        RawMqttClient c = client5("intercept-subs");
        c.send(Raw5.subscribe(1, "banned/#", 1));
        assertThat(c.expect(Packets.SUBACK).body()).containsExactly(0, 1, 0, 0x80);
        c.send(Raw5.subscribe(2, "secret/#", 1));
        assertThat(c.expect(Packets.SUBACK).body()).containsExactly(0, 2, 0, 0x87);
        c.send(Raw5.subscribe(3, "kept/#", 1));
        assertThat(c.expect(Packets.SUBACK).body()).containsExactly(0, 3, 0, 0x01);
        c.send(Raw5.unsubscribe(4, "kept/#"));
        assertThat(c.expect(Packets.UNSUBACK).body()).containsExactly(0, 4, 0, 0x80);
        c.send(Raw5.unsubscribe(5, "audit/#"));
        assertThat(c.expect(Packets.UNSUBACK).body()).containsExactly(0, 5, 0, 0x87);
    }

    @Test
    @Tag("MQTT-3.2.2-8")
    @DisplayName("[MQTT-3.2.2-8] a CONNECT refused with Topic Filter invalid (no CONNACK code) is answered with "
            + "0x80; with Banned, a CONNACK code, as named")
    void connackCodes() {
        broker.get().embedded().addInterceptor("gate", 0, (ConnectInterceptor) client ->
                client.clientId().startsWith("odd-") ? ConnectOutcome.refuse(ReasonCode.TOPIC_FILTER_INVALID, "odd")
                        : client.clientId().startsWith("banned-") ? ConnectOutcome.refuse(ReasonCode.BANNED, "no")
                        : ConnectOutcome.accept(), Map.of());
        RawMqttClient odd = broker.rawClient("odd-1");
        odd.send(Packets.connect("odd-1").cleanSession(true).mqtt5(new byte[0][]).build());
        assertThat(odd.expectConnack5().returnCode()).isEqualTo(0x80);
        RawMqttClient banned = broker.rawClient("banned-1");
        banned.send(Packets.connect("banned-1").cleanSession(true).mqtt5(new byte[0][]).build());
        assertThat(banned.expectConnack5().returnCode()).isEqualTo(0x8A);
    }

    @Test
    @Tag("MQTT-3.2.2-8")
    @DisplayName("[MQTT-3.2.2-8] an authenticator's rejection with Topic Filter invalid (no CONNACK code) is "
            + "answered with 0x80 and the connection closed")
    void authenticatorConnackCodes() {
        broker.get().embedded().addAuthenticator("gate", 0, (Authenticator) request ->
                Authentication.reject(ReasonCode.TOPIC_FILTER_INVALID, "odd"));
        RawMqttClient odd = broker.rawClient("odd-2");
        odd.send(Packets.connect("odd-2").cleanSession(true).mqtt5(new byte[0][]).build());
        assertThat(odd.expectConnack5().returnCode()).isEqualTo(0x80);
    }
}
