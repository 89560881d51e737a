package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.Packets.binary;
import static io.cairn.kernel.testsupport.Packets.property;
import static io.cairn.kernel.testsupport.Packets.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig;
import com.hivemq.client.mqtt.mqtt5.auth.Mqtt5EnhancedAuthMechanism;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5Auth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5AuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import io.cairn.api.auth.AuthExchange;
import io.cairn.api.auth.AuthStep;
import io.cairn.api.auth.ConnectInfo;
import io.cairn.api.auth.EnhancedAuthenticator;
import io.cairn.api.auth.ServerRedirector;
import io.cairn.api.message.ReasonCode;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Enhanced authentication (MQTT 5.0 §4.12) through the {@code io.cairn.api.auth} SPI, proved with a two-step test
 * mechanism, and server redirection (§4.11): raw packets for the exact exchange, the HiveMQ MQTT Client's
 * enhanced-auth API as a real client. See docs/mqtt5.md.
 */
class EnhancedAuth5ConformanceTest {

    private static final String METHOD = "CAIRN-TEST-CHALLENGE";
    private static final int AUTH = 15;

    /**
     * The test mechanism: the client opens with "start", the server challenges with a fresh nonce, the client
     * answers with the nonce reversed; the server then welcomes it. Any other answer is refused with 0x87.
     * Client ids starting with "slow-" get their answer on another thread, those starting with "mute-" never.
     */
    static final class ChallengeAuthenticator implements EnhancedAuthenticator {
        final AtomicInteger nonces = new AtomicInteger();
        final List<ConnectInfo> begun = new CopyOnWriteArrayList<>();

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public AuthExchange begin(ConnectInfo client) {
            begun.add(client);
            String nonce = "nonce-" + nonces.incrementAndGet();
            return new AuthExchange() {
                int steps;

                @Override
                public CompletionStage<AuthStep> step(byte[] clientData) {
                    String data = clientData == null ? "" : new String(clientData, StandardCharsets.UTF_8);
                    AuthStep answer;
                    if (steps++ == 0) {
                        answer = data.equals("start") ? AuthStep.challenge(nonce.getBytes(StandardCharsets.UTF_8))
                                : AuthStep.failure(ReasonCode.NOT_AUTHORIZED, "say start first");
                    } else if (data.equals(new StringBuilder(nonce).reverse().toString())) {
                        answer = AuthStep.success("welcome".getBytes(StandardCharsets.UTF_8),
                                Map.of("user", client.clientId()));
                    } else {
                        answer = AuthStep.failure(ReasonCode.NOT_AUTHORIZED, "wrong answer");
                    }
                    if (client.clientId().startsWith("mute-")) {
                        return new CompletableFuture<>();
                    }
                    if (client.clientId().startsWith("slow-")) {
                        return CompletableFuture.supplyAsync(() -> answer);
                    }
                    return CompletableFuture.completedFuture(answer);
                }
            };
        }
    }

    /** Sends "moved-*" clients to other.example:1883 for good and "busy-*" ones to two servers for now. */
    static final class Redirector implements ServerRedirector {
        @Override
        public Redirection redirect(ConnectInfo client) {
            if (client.clientId().startsWith("moved-")) {
                return new Redirection("other.example:1883", true);
            }
            if (client.clientId().startsWith("busy-")) {
                return new Redirection("a.example b.example:8883", false);
            }
            return null;
        }
    }

    private final ChallengeAuthenticator authenticator = new ChallengeAuthenticator();

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest()
            .configure(c -> c.enhancedAuthenticator(authenticator).serverRedirector(new Redirector())
                    .connectTimeoutSeconds(2));

    // ------------------------------------------------------------------ raw helpers

    private static byte[] auth(int reason, String method, String data) {
        byte[] props = Wire.concat(property(0x15, utf8(method)),
                data == null ? new byte[0] : property(0x16, binary(data.getBytes(StandardCharsets.UTF_8))));
        return Packets.frame(0xF0, Wire.concat(new byte[] {(byte) reason}, Wire.remainingLength(props.length),
                props));
    }

    /** The reason code and the properties (id to raw value bytes, strings and binary without length) of AUTH. */
    private static Map<Integer, String> properties(byte[] body, int at) {
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            int v = body[at++] & 0xFF;
            length |= (v & 0x7F) << shift;
            if ((v & 0x80) == 0) {
                break;
            }
        }
        Map<Integer, String> found = new HashMap<>();
        for (int end = at + length; at < end; ) {
            int id = body[at++] & 0xFF;
            switch (id) {
                case 0x13, 0x21, 0x22 -> at += 2;
                case 0x11, 0x27 -> at += 4;
                case 0x24, 0x25, 0x28, 0x29, 0x2A -> at += 1;
                default -> {
                    int n = ((body[at] & 0xFF) << 8) | (body[at + 1] & 0xFF);
                    found.put(id, new String(body, at + 2, n, StandardCharsets.UTF_8));
                    at += 2 + n;
                }
            }
        }
        return found;
    }

    private RawMqttClient connectWithMethod(String clientId) {
        RawMqttClient c = broker.rawClient(clientId);
        c.send(Packets.connect(clientId).mqtt5(property(0x15, utf8(METHOD)),
                property(0x16, binary("start".getBytes(StandardCharsets.UTF_8)))).build());
        return c;
    }

    /** Reads the server's challenge and returns its nonce. */
    private static String expectChallenge(RawMqttClient c) {
        RawPacket challenge = c.expect(AUTH);
        assertThat(challenge.body()[0] & 0xFF).as("AUTH reason").isEqualTo(0x18);
        Map<Integer, String> props = properties(challenge.body(), 1);
        assertThat(props).containsEntry(0x15, METHOD);
        return props.get(0x16);
    }

    private static String reversed(String s) {
        return new StringBuilder(s).reverse().toString();
    }

    // ------------------------------------------------------------------ tests

    @Test
    @Tag("MQTT-4.12.0-2")
    @Tag("MQTT-4.12.0-5")
    @Tag("MQTT-3.2.0-1")
    @DisplayName("[MQTT-4.12.0-2] [MQTT-4.12.0-5] [MQTT-3.2.0-1] a two-step exchange: AUTH 0x18 with the method "
            + "and a challenge, the client's answer, then CONNACK 0x00 with the method and the server's data")
    void twoStepExchange() {
        RawMqttClient c = connectWithMethod("auth-ok");
        String nonce = expectChallenge(c);
        c.send(auth(0x18, METHOD, reversed(nonce)));

        RawPacket connack = c.expect(Packets.CONNACK);
        assertThat(connack.body()[1]).as("reason").isZero();
        assertThat(properties(connack.body(), 2)).containsEntry(0x15, METHOD).containsEntry(0x16, "welcome");
        c.send(Packets.pingreq());
        c.expect(Packets.PINGRESP);
        assertThat(authenticator.begun).extracting(ConnectInfo::clientId).containsExactly("auth-ok");
        assertThat(authenticator.begun.get(0).reauthentication()).isFalse();
    }

    @Test
    @DisplayName("an answer that comes later on another thread goes on as one that comes at once")
    void asynchronousSteps() {
        RawMqttClient c = connectWithMethod("slow-client");
        String nonce = expectChallenge(c);
        c.send(auth(0x18, METHOD, reversed(nonce)));
        assertThat(c.expect(Packets.CONNACK).body()[1]).isZero();
    }

    @Test
    @Tag("MQTT-4.12.0-4")
    @Tag("MQTT-3.1.4-2")
    @DisplayName("[MQTT-4.12.0-4] [MQTT-3.1.4-2] a wrong answer is refused with CONNACK 0x87 and the connection "
            + "closed")
    void wrongAnswerRefused() {
        RawMqttClient c = connectWithMethod("auth-wrong");
        expectChallenge(c);
        c.send(auth(0x18, METHOD, "guess"));
        RawPacket connack = c.expect(Packets.CONNACK);
        assertThat(connack.body()[1] & 0xFF).isEqualTo(0x87);
        assertThat(properties(connack.body(), 2)).containsEntry(0x1F, "wrong answer");
        c.expectClosed();
    }

    @Test
    @DisplayName("an exchange that never answers is refused with 0x87 after the connect timeout")
    void silentAuthenticatorRefused() {
        RawMqttClient c = connectWithMethod("mute-client");
        RawPacket connack = c.receive(Duration.ofSeconds(10));
        assertThat(connack.type()).isEqualTo(Packets.CONNACK);
        assertThat(connack.body()[1] & 0xFF).isEqualTo(0x87);
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-4.12.0-1")
    @DisplayName("[MQTT-4.12.0-1] a method no authenticator offers is refused with CONNACK 0x8C")
    void unknownMethodRefused() {
        RawMqttClient c = broker.rawClient("auth-unknown");
        c.send(Packets.connect("auth-unknown").mqtt5(property(0x15, utf8("SCRAM-SHA-1"))).build());
        RawPacket connack = c.expect(Packets.CONNACK);
        assertThat(connack.body()[1] & 0xFF).isEqualTo(0x8C);
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-3.1.2-30")
    @DisplayName("[MQTT-3.1.2-30] a PUBLISH before the exchange ends is a protocol error: CONNACK 0x82, and it "
            + "is not routed")
    void publishDuringAuthenticationRefused() {
        RawMqttClient watcher = broker.connect("auth-watcher").subscribe("auth/#", 0);
        RawMqttClient c = connectWithMethod("auth-eager");
        expectChallenge(c);
        c.send(Packets.frame(0x30, Wire.concat(Wire.utf8("auth/early"), new byte[] {0}, new byte[] {1})));
        RawPacket connack = c.expect(Packets.CONNACK);
        assertThat(connack.body()[1] & 0xFF).isEqualTo(0x82);
        c.expectClosed();
        broker.connect("auth-marker").publish("auth/marker", 0, "m");
        assertThat(watcher.expectPublish().topic()).isEqualTo("auth/marker");
    }

    @Test
    @Tag("MQTT-4.12.0-6")
    @Tag("MQTT-4.12.0-7")
    @DisplayName("[MQTT-4.12.0-6] [MQTT-4.12.0-7] without a method the CONNACK carries none, and an AUTH from "
            + "that client is a protocol error: DISCONNECT 0x82")
    void noMethodNoAuth() {
        RawMqttClient c = broker.rawClient("auth-none");
        c.send(Packets.connect("auth-none").mqtt5().build());
        RawPacket connack = c.expect(Packets.CONNACK);
        assertThat(connack.body()[1]).isZero();
        assertThat(properties(connack.body(), 2)).doesNotContainKey(0x15);
        c.send(auth(0x19, METHOD, "start"));
        RawPacket disconnect = c.expect(Packets.DISCONNECT);
        assertThat(disconnect.body()[0] & 0xFF).isEqualTo(0x82);
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-4.12.0-5")
    @DisplayName("[MQTT-4.12.0-5] re-authentication: AUTH 0x19, a challenge, the answer, then AUTH 0x00, while "
            + "the connection goes on")
    void reauthentication() {
        RawMqttClient c = connectWithMethod("auth-again");
        c.send(auth(0x18, METHOD, reversed(expectChallenge(c))));
        assertThat(c.expect(Packets.CONNACK).body()[1]).isZero();
        c.send(Raw5.subscribe(1, "again/#", 0));
        c.expect(Packets.SUBACK);

        c.send(auth(0x19, METHOD, "start"));
        String nonce = expectChallenge(c);
        c.send(Packets.pingreq()); // other packets still flow during re-authentication
        c.expect(Packets.PINGRESP);
        c.send(auth(0x18, METHOD, reversed(nonce)));
        RawPacket done = c.expect(AUTH);
        assertThat(done.body()[0]).as("AUTH reason").isZero();
        assertThat(properties(done.body(), 1)).containsEntry(0x15, METHOD).containsEntry(0x16, "welcome");
        assertThat(authenticator.begun).hasSize(2);
        assertThat(authenticator.begun.get(1).reauthentication()).isTrue();

        broker.connect("auth-again-pub").publish("again/x", 0, "still here");
        assertThat(Raw5.expectPublish(c).payloadText()).isEqualTo("still here");
    }

    @Test
    @Tag("MQTT-4.12.1-2")
    @DisplayName("[MQTT-4.12.1-2] a failed re-authentication ends the connection with DISCONNECT 0x87")
    void failedReauthentication() {
        RawMqttClient c = connectWithMethod("auth-fail-again");
        c.send(auth(0x18, METHOD, reversed(expectChallenge(c))));
        assertThat(c.expect(Packets.CONNACK).body()[1]).isZero();
        c.send(auth(0x19, METHOD, "start"));
        expectChallenge(c);
        c.send(auth(0x18, METHOD, "guess"));
        RawPacket disconnect = c.expect(Packets.DISCONNECT);
        assertThat(disconnect.body()[0] & 0xFF).isEqualTo(0x87);
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-4.12.0-5")
    @DisplayName("[MQTT-4.12.0-5] an AUTH naming another method than the connection's is a protocol error")
    void otherMethodInAuth() {
        RawMqttClient c = connectWithMethod("auth-switch");
        c.send(auth(0x18, METHOD, reversed(expectChallenge(c))));
        assertThat(c.expect(Packets.CONNACK).body()[1]).isZero();
        c.send(auth(0x19, "OTHER", "start"));
        RawPacket disconnect = c.expect(Packets.DISCONNECT);
        assertThat(disconnect.body()[0] & 0xFF).isEqualTo(0x82);
        c.expectClosed();
    }

    /** The test mechanism as the HiveMQ client's enhanced-auth API runs it. */
    static final class ClientMechanism implements Mqtt5EnhancedAuthMechanism {
        final AtomicInteger successes = new AtomicInteger();

        @Override
        public MqttUtf8String getMethod() {
            return MqttUtf8String.of(METHOD);
        }

        @Override
        public int getTimeout() {
            return 10;
        }

        @Override
        public CompletableFuture<Void> onAuth(Mqtt5ClientConfig config, Mqtt5Connect connect,
                                              Mqtt5EnhancedAuthBuilder auth) {
            auth.data("start".getBytes(StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> onReAuth(Mqtt5ClientConfig config, Mqtt5AuthBuilder auth) {
            auth.data("start".getBytes(StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Boolean> onContinue(Mqtt5ClientConfig config, Mqtt5Auth auth,
                                                     Mqtt5AuthBuilder answer) {
            ByteBuffer data = auth.getData().orElseThrow();
            byte[] nonce = new byte[data.remaining()];
            data.get(nonce);
            answer.data(reversed(new String(nonce, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public CompletableFuture<Boolean> onAuthSuccess(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
            successes.incrementAndGet();
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public CompletableFuture<Boolean> onReAuthSuccess(Mqtt5ClientConfig config, Mqtt5Auth auth) {
            successes.incrementAndGet();
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public void onAuthRejected(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
        }

        @Override
        public void onReAuthRejected(Mqtt5ClientConfig config, Mqtt5Disconnect disconnect) {
        }

        @Override
        public void onAuthError(Mqtt5ClientConfig config, Throwable cause) {
        }

        @Override
        public void onReAuthError(Mqtt5ClientConfig config, Throwable cause) {
        }
    }

    @Test
    @DisplayName("the HiveMQ MQTT Client authenticates and re-authenticates with the test mechanism, then "
            + "publishes")
    void hiveMqClientEnhancedAuth() throws Exception {
        ClientMechanism mechanism = new ClientMechanism();
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier("hive-auth").serverHost("127.0.0.1")
                .serverPort(broker.port()).enhancedAuth(mechanism).buildBlocking();
        broker.get().track(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        Mqtt5ConnAck connack = c.connect();
        assertThat(connack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(mechanism.successes).hasValue(1);

        c.toAsync().reauth().get(10, TimeUnit.SECONDS);
        assertThat(mechanism.successes).hasValue(2);
        c.publishWith().topic("hive/auth").qos(MqttQos.AT_LEAST_ONCE).send();
    }

    @Test
    @DisplayName("server redirection: an MQTT 5 client gets 0x9D (Server moved) or 0x9C (Use another server) with "
            + "the Server Reference, as the HiveMQ client reports it; others connect here")
    void serverRedirection() {
        Mqtt5BlockingClient moved = Mqtt5Client.builder().identifier("moved-1").serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
        Mqtt5ConnAckException refused = catchThrowableOfType(Mqtt5ConnAckException.class, moved::connect);
        assertThat(refused).isNotNull();
        assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SERVER_MOVED);
        assertThat(refused.getMqttMessage().getServerReference()).map(Object::toString)
                .contains("other.example:1883");

        RawMqttClient busy = broker.rawClient("busy-1");
        busy.send(Packets.connect("busy-1").mqtt5().build());
        RawPacket connack = busy.expect(Packets.CONNACK);
        assertThat(connack.body()[1] & 0xFF).isEqualTo(0x9C);
        assertThat(properties(connack.body(), 2)).containsEntry(0x1C, "a.example b.example:8883");
        busy.expectClosed();

        Mqtt5BlockingClient stays = Mqtt5Client.builder().identifier("here-1").serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
        assertThat(stays.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        stays.disconnect();
    }

    @Test
    @DisplayName("server redirection of an MQTT 3.1.1 client, which cannot be told where to go: CONNACK 0x03 "
            + "(server unavailable)")
    void redirectionOfAnOldClient() {
        RawMqttClient c = broker.rawClient("moved-311");
        RawPacket.Connack connack = c.connect(Packets.connect("moved-311"));
        assertThat(connack.returnCode()).isEqualTo(3);
        c.expectClosed();
    }
}
