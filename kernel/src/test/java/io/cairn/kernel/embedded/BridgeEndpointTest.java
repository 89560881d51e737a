package io.cairn.kernel.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.api.bridge.Bridge;
import io.cairn.api.bridge.BridgeActivity;
import io.cairn.api.bridge.BridgeContext;
import io.cairn.api.bridge.BridgeRegistration;
import io.cairn.api.broker.BridgeStatus;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.netty.channel.local.LocalAddress;
import java.time.Instant;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the kernel gives bridges: an in-process endpoint, reserved client identifiers, and their status. */
class BridgeEndpointTest {

    @RegisterExtension
    static final EmbeddedBrokerExtension BROKER = EmbeddedBrokerExtension.perClass();

    @Test
    @DisplayName("a client on a listener cannot take a bridge's session: $bridge/ identifiers are refused (0x02)")
    void bridgeIdentifiersAreReservedForTheEndpoint() throws Exception {
        MqttClient paho = new MqttClient(BROKER.tcpUri(), BridgeContext.localClientId("upstream"),
                new MemoryPersistence());
        try {
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(false);
            assertThatThrownBy(() -> paho.connect(o)).isInstanceOf(MqttException.class)
                    .satisfies(e -> assertThat(((MqttException) e).getReasonCode())
                            .isEqualTo(MqttException.REASON_CODE_INVALID_CLIENT_ID));
            assertThat(BROKER.broker().session(BridgeContext.localClientId("upstream"))).isEmpty();
        } finally {
            paho.close(true);
        }
    }

    @Test
    @DisplayName("the endpoint is an in-process address, and registered bridges are listed by the broker service")
    void bridgesAreListedWithWhatWaitsForThem() {
        BridgeContext context = BROKER.get().embedded().bridgeContext();
        assertThat(context.localAddress()).isInstanceOf(LocalAddress.class);
        Instant failedAt = Instant.parse("2026-11-22T10:00:00Z");
        Bridge bridge = new Bridge() {
            @Override
            public String name() {
                return "cloud";
            }

            @Override
            public BridgeActivity activity() {
                return new BridgeActivity("mqtt://upstream:1883 (MQTT 5)", false, 7, 3, "connection refused",
                        failedAt);
            }
        };
        BridgeRegistration registration = context.register(bridge);
        assertThat(BROKER.broker().bridges()).containsExactly(new BridgeStatus("cloud",
                "mqtt://upstream:1883 (MQTT 5)", false, 0, 7, 3, "connection refused", failedAt));
        registration.close();
        assertThat(BROKER.broker().bridges()).isEmpty();
    }
}
