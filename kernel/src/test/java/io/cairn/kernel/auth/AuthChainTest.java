package io.cairn.kernel.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.cairn.api.auth.AuthExchange;
import io.cairn.api.auth.AuthStep;
import io.cairn.api.auth.Authentication;
import io.cairn.api.auth.Authenticator;
import io.cairn.api.auth.Authorizer;
import io.cairn.api.auth.ClientIdentity;
import io.cairn.api.auth.ConnectInfo;
import io.cairn.api.auth.EnhancedAuthenticator;
import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.auth.Permission;
import io.cairn.api.message.QoS;
import io.cairn.api.message.ReasonCode;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.kernel.routing.Topics;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Authenticator and authorizer chains per listener, seen by real clients: Eclipse Paho (MQTT 3.1.1) and the HiveMQ
 * MQTT Client (MQTT 5). The providers are small in-test implementations of the api; the file and JDBC providers
 * have their own tests.
 */
class AuthChainTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private EmbeddedBroker broker;

    @AfterEach
    void close() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            closeAfter.get(i).close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ------------------------------------------------------------------ providers for the tests

    /** Accepts the users of its map with their passwords, rejects a wrong password, defers unknown users. */
    private static Authenticator users(Map<String, String> passwords, Map<String, String> attributes) {
        return request -> {
            if (request.username() == null || !passwords.containsKey(request.username())) {
                return Authentication.defer();
            }
            byte[] given = request.password();
            if (given != null && passwords.get(request.username()).equals(new String(given, StandardCharsets.UTF_8))) {
                return Authentication.accept(attributes);
            }
            return Authentication.reject(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong password");
        };
    }

    /** An authorizer over a mutable rule set: "pub:<filter>" and "sub:<filter>" allow; anything else defers. */
    private static final class Rules implements Authorizer {
        final Set<String> rules = ConcurrentHashMap.newKeySet();
        final List<Runnable> listeners = new CopyOnWriteArrayList<>();
        final List<ClientIdentity> seen = new CopyOnWriteArrayList<>();

        Rules(String... initial) {
            rules.addAll(List.of(initial));
        }

        @Override
        public Permission publish(ClientIdentity client, String topic, QoS qos, boolean retain) {
            seen.add(client);
            return rules.stream().anyMatch(r -> r.startsWith("pub:") && Topics.matches(r.substring(4), topic))
                    ? Permission.ALLOW : Permission.DEFER;
        }

        @Override
        public Permission subscribe(ClientIdentity client, String filter, QoS qos) {
            return rules.contains("sub:" + filter) ? Permission.ALLOW : Permission.DEFER;
        }

        @Override
        public Permission receive(ClientIdentity client, String topic) {
            return rules.contains("deny-read:" + topic) ? Permission.DENY : Permission.DEFER;
        }

        @Override
        public void addPolicyListener(Runnable listener) {
            listeners.add(listener);
        }

        @Override
        public void removePolicyListener(Runnable listener) {
            listeners.remove(listener);
        }

        void change(Runnable edit) {
            edit.run();
            listeners.forEach(Runnable::run);
        }
    }

    private int start(ListenerSecurity security, EmbeddedBroker.Builder builder) throws Exception {
        return start(security, builder, BrokerSettings.defaults());
    }

    private int start(ListenerSecurity security, EmbeddedBroker.Builder builder, BrokerSettings settings)
            throws Exception {
        broker = builder.settings(settings)
                .transport(new TcpTransport("main", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG, security))
                .sessionStore(new MemorySessionStore()).retainedStore(new MemoryRetainedStore()).start();
        return broker.listeners().get(0).port();
    }

    // ------------------------------------------------------------------ clients

    private MqttClient paho(int port, String clientId) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        closeAfter.add(() -> {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        });
        return c;
    }

    private static MqttConnectOptions credentials(String user, String password) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setConnectionTimeout(10);
        if (user != null) {
            o.setUserName(user);
        }
        if (password != null) {
            o.setPassword(password.toCharArray());
        }
        return o;
    }

    private Mqtt5BlockingClient hive(int port, String clientId) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1").serverPort(port)
                .buildBlocking();
        closeAfter.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    private static Mqtt5ConnAckException refusedV5(Mqtt5BlockingClient c, String user, String password) {
        var connect = c.connectWith().cleanStart(true);
        if (user != null) {
            var auth = connect.simpleAuth().username(user);
            if (password != null) {
                auth.password(password.getBytes(StandardCharsets.UTF_8));
            }
            connect = auth.applySimpleAuth();
        }
        var send = connect;
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(send::send);
        assertThat(t).isInstanceOf(Mqtt5ConnAckException.class);
        return (Mqtt5ConnAckException) t;
    }

    private static void connectV5(Mqtt5BlockingClient c, String user, String password) {
        c.connectWith().cleanStart(true).simpleAuth().username(user)
                .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    }

    private static int pahoRefusal(MqttClient c, MqttConnectOptions options) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> c.connect(options));
        assertThat(t).isInstanceOf(MqttException.class);
        return ((MqttException) t).getReasonCode();
    }

    // ------------------------------------------------------------------ authentication

    @Test
    @DisplayName("a listener with no authenticator that does not allow anonymous clients refuses everyone: "
            + "3.1.1 return code 5, MQTT 5 0x87")
    void noAuthenticatorNoAnonymous() throws Exception {
        int port = start(ListenerSecurity.DEFAULT, EmbeddedBroker.builder());
        assertThat(pahoRefusal(paho(port, "p"), credentials(null, null)))
                .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        assertThat(refusedV5(hive(port, "h"), "someone", "pw").getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    }

    @Test
    @DisplayName("the chain: a known user is accepted, a wrong password refused with the authenticator's reason "
            + "(3.1.1: 4, MQTT 5: 0x86 and its reason string), an unknown user refused when every authenticator "
            + "defers")
    void chainDecides() throws Exception {
        int port = start(ListenerSecurity.allProviders(false), EmbeddedBroker.builder()
                .authenticator("users", users(Map.of("ann", "secret"), Map.of())));
        MqttClient ok = paho(port, "ok");
        ok.connect(credentials("ann", "secret"));
        assertThat(ok.isConnected()).isTrue();
        assertThat(pahoRefusal(paho(port, "wrong"), credentials("ann", "guess")))
                .isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertThat(pahoRefusal(paho(port, "unknown"), credentials("bob", "x")))
                .isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        Mqtt5ConnAckException wrong = refusedV5(hive(port, "wrong5"), "ann", "guess");
        assertThat(wrong.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(wrong.getMqttMessage().getReasonString()).hasValueSatisfying(s -> assertThat(s.toString())
                .isEqualTo("wrong password"));
        assertThat(pahoRefusal(paho(port, "anon"), credentials(null, null)))
                .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
    }

    @Test
    @DisplayName("with authenticators and allowAnonymous, a client without a user name is let in and one with an "
            + "unknown user name is not")
    void anonymousBesideAuthenticators() throws Exception {
        int port = start(ListenerSecurity.allProviders(true), EmbeddedBroker.builder()
                .authenticator("users", users(Map.of("ann", "secret"), Map.of())));
        MqttClient anonymous = paho(port, "anon");
        anonymous.connect(credentials(null, null));
        assertThat(anonymous.isConnected()).isTrue();
        assertThat(pahoRefusal(paho(port, "stranger"), credentials("stranger", "x")))
                .isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
    }

    @Test
    @DisplayName("authenticators are asked in service.ranking order; the first to decide wins, a defer passes on")
    void rankingOrder() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        Authenticator low = r -> {
            asked.add("low");
            return Authentication.accept(Map.of("by", "low"));
        };
        Authenticator high = r -> {
            asked.add("high");
            return Authentication.defer();
        };
        // ranking orders them, not the order they were added in
        int port = start(ListenerSecurity.allProviders(false), EmbeddedBroker.builder()
                .authenticator("low", 1, low).authenticator("high", 5, high));
        MqttClient c = paho(port, "ranked");
        c.connect(credentials("u", "p"));
        assertThat(asked).containsExactly("high", "low");
    }

    @Test
    @DisplayName("an answer that comes later is waited for; one that does not come in time gets its fallback "
            + "(MQTT 5: 0x88 Server unavailable; 3.1.1: return code 3)")
    void laterAnswersAndFallback() throws Exception {
        CompletableFuture<Authentication> never = new CompletableFuture<>();
        Authenticator slow = r -> "fast".equals(r.username())
                ? Authentication.later(CompletableFuture.supplyAsync(Authentication::accept), Duration.ofSeconds(5),
                Authentication.reject(ReasonCode.SERVER_UNAVAILABLE, "no answer"))
                : Authentication.later(never, Duration.ofMillis(300),
                Authentication.reject(ReasonCode.SERVER_UNAVAILABLE, "database unavailable"));
        int port = start(ListenerSecurity.allProviders(false), EmbeddedBroker.builder().authenticator("slow", slow));
        Mqtt5BlockingClient fast = hive(port, "fast");
        connectV5(fast, "fast", "x");
        assertThat(fast.getState().isConnected()).isTrue();
        Mqtt5ConnAckException timedOut = refusedV5(hive(port, "late"), "late", "x");
        assertThat(timedOut.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);
        assertThat(pahoRefusal(paho(port, "late3"), credentials("late", "x")))
                .isEqualTo(MqttException.REASON_CODE_BROKER_UNAVAILABLE);
    }

    @Test
    @DisplayName("per-listener chains: each listener selects its own authenticators, by name or by LDAP filter, and "
            + "a client is accepted only by its listener's")
    void perListenerChains() throws Exception {
        broker = EmbeddedBroker.builder()
                .authenticator("alpha", users(Map.of("ann", "a-pass"), Map.of()))
                .authenticator("beta", users(Map.of("bob", "b-pass"), Map.of()))
                .transport(new TcpTransport("a", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        new ListenerSecurity(false, "alpha", "")))
                .transport(new TcpTransport("b", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        new ListenerSecurity(false, "(name=beta)", "")))
                .start();
        int a = broker.listeners().stream().filter(l -> l.name().equals("a")).findFirst().orElseThrow().port();
        int b = broker.listeners().stream().filter(l -> l.name().equals("b")).findFirst().orElseThrow().port();
        paho(a, "ann-a").connect(credentials("ann", "a-pass"));
        paho(b, "bob-b").connect(credentials("bob", "b-pass"));
        assertThat(pahoRefusal(paho(a, "bob-a"), credentials("bob", "b-pass")))
                .isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertThat(pahoRefusal(paho(b, "ann-b"), credentials("ann", "a-pass")))
                .isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
    }

    @Test
    @DisplayName("removing the last authenticator does not open the listener: new clients are refused")
    void removingTheLastAuthenticator() throws Exception {
        Authenticator users = users(Map.of("ann", "secret"), Map.of());
        int port = start(ListenerSecurity.allProviders(false), EmbeddedBroker.builder().authenticator("users", users));
        MqttClient before = paho(port, "before");
        before.connect(credentials("ann", "secret"));
        broker.removeAuthenticator(users);
        assertThat(pahoRefusal(paho(port, "after"), credentials("ann", "secret")))
                .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        assertThat(pahoRefusal(paho(port, "after-anon"), credentials(null, null)))
                .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        assertThat(before.isConnected()).isTrue(); // a connected client keeps its connection
        broker.addAuthenticator("users", 0, users);
        MqttClient back = paho(port, "back");
        back.connect(credentials("ann", "secret"));
        assertThat(back.isConnected()).isTrue();
    }

    // ------------------------------------------------------------------ authorization

    @Test
    @DisplayName("a denied publish: 3.1.1 QoS 1 is acknowledged and dropped; MQTT 5 gets PUBACK/PUBREC 0x87; the "
            + "authorizer sees the identity the authenticator set")
    void deniedPublish() throws Exception {
        Rules rules = new Rules("pub:allowed/#", "sub:#");
        int port = start(ListenerSecurity.allProviders(false), EmbeddedBroker.builder()
                .authenticator("users", users(Map.of("ann", "secret"), Map.of("role", "sensor")))
                .authorizer("rules", rules));
        MqttClient sub = paho(port, "sub");
        List<String> got = new CopyOnWriteArrayList<>();
        sub.setCallback(collect(got));
        sub.connect(credentials("ann", "secret"));
        sub.subscribe("#", 1);
        MqttClient pub = paho(port, "pub3");
        pub.connect(credentials("ann", "secret"));
        pub.publish("denied/a", "x".getBytes(StandardCharsets.UTF_8), 1, false); // completes: PUBACK came
        pub.publish("allowed/a", "y".getBytes(StandardCharsets.UTF_8), 1, false);
        await().atMost(WAIT).until(() -> got.contains("allowed/a"));
        assertThat(got).doesNotContain("denied/a");

        Mqtt5BlockingClient pub5 = hive(port, "pub5");
        connectV5(pub5, "ann", "secret");
        assertThatThrownBy(() -> pub5.publishWith().topic("denied/b").qos(MqttQos.AT_LEAST_ONCE).send())
                .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
        assertThatThrownBy(() -> pub5.publishWith().topic("denied/c").qos(MqttQos.EXACTLY_ONCE).send())
                .isInstanceOfSatisfying(Mqtt5PubRecException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5PubRecReasonCode.NOT_AUTHORIZED));
        pub5.publishWith().topic("allowed/d").qos(MqttQos.EXACTLY_ONCE).send();
        await().atMost(WAIT).until(() -> got.contains("allowed/d"));
        assertThat(got).doesNotContain("denied/b", "denied/c");
        assertThat(rules.seen).anySatisfy(identity -> {
            assertThat(identity.clientId()).isEqualTo("pub5");
            assertThat(identity.username()).isEqualTo("ann");
            assertThat(identity.listener()).isEqualTo("main");
            assertThat(identity.attributes()).containsEntry("role", "sensor");
            assertThat(identity.anonymous()).isFalse();
            assertThat(identity.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
        });
    }

    @Test
    @DisplayName("a denied subscription gets 0x80 in a 3.1.1 SUBACK and 0x87 in an MQTT 5 SUBACK; the allowed "
            + "filters of the same SUBSCRIBE are granted")
    void deniedSubscribe() throws Exception {
        int port = start(ListenerSecurity.allProviders(true), EmbeddedBroker.builder()
                .authorizer("rules", new Rules("sub:open/#")));
        MqttClient c = paho(port, "s3");
        c.connect(credentials(null, null));
        int[] granted = c.subscribeWithResponse(new String[] {"open/#", "secret/#"}, new int[] {1, 1})
                .getGrantedQos();
        assertThat(granted).containsExactly(1, 0x80);

        Mqtt5BlockingClient h = hive(port, "s5");
        h.connectWith().cleanStart(true).send();
        assertThatThrownBy(() -> h.subscribeWith().topicFilter("secret/#").qos(MqttQos.AT_LEAST_ONCE).send())
                .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
    }

    @Test
    @DisplayName("a wildcard subscription does not receive live or retained messages on topics its client may "
            + "not read")
    void receiveOnWildcards() throws Exception {
        Rules rules = new Rules("pub:#", "sub:#", "deny-read:secret");
        int port = start(ListenerSecurity.allProviders(true), EmbeddedBroker.builder().authorizer("rules", rules));
        MqttClient pub = paho(port, "pub");
        pub.connect(credentials(null, null));
        pub.publish("secret", "r".getBytes(StandardCharsets.UTF_8), 1, true);
        pub.publish("public", "r".getBytes(StandardCharsets.UTF_8), 1, true);
        MqttClient sub = paho(port, "sub");
        List<String> got = new CopyOnWriteArrayList<>();
        sub.setCallback(collect(got));
        sub.connect(credentials(null, null));
        sub.subscribe("#", 1);
        await().atMost(WAIT).until(() -> got.contains("public"));
        pub.publish("secret", "live".getBytes(StandardCharsets.UTF_8), 1, false);
        pub.publish("public", "live".getBytes(StandardCharsets.UTF_8), 1, false);
        await().atMost(WAIT).until(() -> got.stream().filter("public"::equals).count() == 2);
        assertThat(got).doesNotContain("secret");
    }

    @Test
    @DisplayName("a topic that becomes unreadable after a policy change stops reaching a wildcard subscription at "
            + "once (remembered decisions are dropped)")
    void receiveFollowsPolicyChanges() throws Exception {
        Rules rules = new Rules("pub:#", "sub:#");
        int port = start(ListenerSecurity.allProviders(true), EmbeddedBroker.builder().authorizer("rules", rules));
        MqttClient sub = paho(port, "reader");
        List<String> got = new CopyOnWriteArrayList<>();
        sub.setCallback(collect(got));
        sub.connect(credentials(null, null));
        sub.subscribe("#", 1);
        MqttClient pub = paho(port, "writer");
        pub.connect(credentials(null, null));
        pub.publish("t", new byte[] {1}, 1, false);
        await().atMost(WAIT).until(() -> got.contains("t"));

        rules.change(() -> rules.rules.add("deny-read:t"));
        pub.publish("t", new byte[] {2}, 1, false);
        pub.publish("u", new byte[] {3}, 1, false);
        await().atMost(WAIT).until(() -> got.contains("u"));
        assertThat(got).containsExactly("t", "u");
    }

    @Test
    @DisplayName("when an authorizer's policy changes, a subscription that is no longer allowed stops receiving")
    void revokedSubscriptionStops() throws Exception {
        Rules rules = new Rules("pub:#", "sub:news/#", "sub:other");
        int port = start(ListenerSecurity.allProviders(true), EmbeddedBroker.builder().authorizer("rules", rules));
        MqttClient sub = paho(port, "reader");
        List<String> got = new CopyOnWriteArrayList<>();
        sub.setCallback(collect(got));
        sub.connect(credentials(null, null));
        sub.subscribe(new String[] {"news/#", "other"}, new int[] {1, 1});
        MqttClient pub = paho(port, "writer");
        pub.connect(credentials(null, null));
        pub.publish("news/1", new byte[] {1}, 1, false);
        await().atMost(WAIT).until(() -> got.contains("news/1"));

        rules.change(() -> rules.rules.remove("sub:news/#"));
        await().atMost(WAIT).until(() -> broker.broker().sessions().stream()
                .filter(s -> s.clientId().equals("reader")).findFirst().orElseThrow().subscriptions().size() == 1);
        pub.publish("news/2", new byte[] {2}, 1, false);
        pub.publish("other", new byte[] {3}, 1, false);
        await().atMost(WAIT).until(() -> got.contains("other"));
        assertThat(got).doesNotContain("news/2");
        assertThat(sub.isConnected()).isTrue();
    }

    @Test
    @DisplayName("configured to disconnect, a client whose subscription is no longer allowed is disconnected with "
            + "0x87")
    void revokedSubscriptionDisconnects() throws Exception {
        Rules rules = new Rules("sub:news/#");
        int port = start(ListenerSecurity.allProviders(true), EmbeddedBroker.builder().authorizer("rules", rules),
                BrokerSettings.builder().disconnectRevoked(true).build());
        var reason = new java.util.concurrent.atomic.AtomicReference<Object>();
        Mqtt5BlockingClient tracked = Mqtt5Client.builder().identifier("revoked").serverHost("127.0.0.1")
                .serverPort(port).addDisconnectedListener(ctx -> reason.set(ctx.getCause())).buildBlocking();
        tracked.connectWith().cleanStart(true).send();
        tracked.subscribeWith().topicFilter("news/#").qos(MqttQos.AT_LEAST_ONCE).send();
        rules.change(() -> rules.rules.clear());
        await().atMost(WAIT).until(() -> reason.get() != null);
        assertThat(reason.get()).isInstanceOfSatisfying(
                com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode
                                .NOT_AUTHORIZED));
        assertThat(tracked.getState().isConnected()).isFalse();
    }

    @Test
    @DisplayName("a will to a topic the client may not publish to refuses the CONNECT with 0x87")
    void deniedWill() throws Exception {
        int port = start(ListenerSecurity.allProviders(true), EmbeddedBroker.builder()
                .authorizer("rules", new Rules("pub:allowed/#")));
        Mqtt5BlockingClient h = hive(port, "will");
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> h.connectWith().cleanStart(true)
                .willPublish().topic("forbidden/will").payload(new byte[] {1}).applyWillPublish().send());
        assertThat(t).isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage()
                .getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
        MqttClient ok = paho(port, "will-ok");
        MqttConnectOptions o = credentials(null, null);
        o.setWill("allowed/will", new byte[] {1}, 1, false);
        ok.connect(o);
        assertThat(ok.isConnected()).isTrue();
    }

    @Test
    @DisplayName("a listener that names authorizers none of which is installed denies every publish and "
            + "subscription, rather than allowing them")
    void namedAuthorizersMissing() throws Exception {
        int port = start(new ListenerSecurity(true, "", "acl"), EmbeddedBroker.builder());
        MqttClient c = paho(port, "strict");
        c.connect(credentials(null, null));
        assertThat(c.subscribeWithResponse(new String[] {"a"}, new int[] {1}).getGrantedQos()).containsExactly(0x80);
    }

    @Test
    @DisplayName("'none' keeps a listener out of the installed providers: no authenticator asked, everything "
            + "authorized, while another listener uses them")
    void noneSelectsNoProvider() throws Exception {
        Rules rules = new Rules(); // allows nothing
        broker = EmbeddedBroker.builder()
                .authenticator("users", users(Map.of("ann", "secret"), Map.of()))
                .authorizer("rules", rules)
                .transport(new TcpTransport("trusted", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        new ListenerSecurity(true, "none", "none")))
                .transport(new TcpTransport("guarded", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        new ListenerSecurity(false, "", "")))
                .start();
        int trusted = broker.listeners().stream().filter(l -> l.name().equals("trusted")).findFirst().orElseThrow()
                .port();
        int guarded = broker.listeners().stream().filter(l -> l.name().equals("guarded")).findFirst().orElseThrow()
                .port();
        MqttClient local = paho(trusted, "local");
        local.connect(credentials("anyone", "anything")); // not asked of the users authenticator
        assertThat(local.subscribeWithResponse(new String[] {"a/#"}, new int[] {1}).getGrantedQos()).containsExactly(1);
        MqttClient remote = paho(guarded, "remote");
        remote.connect(credentials("ann", "secret"));
        assertThat(remote.subscribeWithResponse(new String[] {"a/#"}, new int[] {1}).getGrantedQos())
                .containsExactly(0x80);
    }

    @Test
    @DisplayName("a listener's authenticators selector also picks its MQTT 5 authentication methods: a method "
            + "its listener does not select is refused with 0x8C, on the listener that selects it the method works")
    void enhancedMethodsPerListener() throws Exception {
        EnhancedAuthenticator token = new EnhancedAuthenticator() {
            @Override
            public String method() {
                return "TOKEN";
            }

            @Override
            public AuthExchange begin(ConnectInfo client) {
                return data -> CompletableFuture.completedFuture(AuthStep.success(null, Map.of()));
            }
        };
        broker = EmbeddedBroker.builder()
                .authenticator("staff", users(Map.of("ann", "secret"), Map.of()))
                .enhancedAuthenticator("tokens", token)
                .transport(new TcpTransport("staff", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        new ListenerSecurity(false, "staff", "")))
                .transport(new TcpTransport("devices", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        new ListenerSecurity(false, "tokens", "")))
                .start();
        for (var listener : broker.listeners()) {
            try (RawMqttClient c = RawMqttClient.open("token-" + listener.name(), listener.port())) {
                c.send(Packets.connect("token-" + listener.name()).mqtt5(Packets.property(0x15,
                        Packets.utf8("TOKEN"))).build());
                int reason = c.expect(Packets.CONNACK).body()[1] & 0xFF;
                assertThat(reason).as(listener.name()).isEqualTo(listener.name().equals("devices") ? 0x00 : 0x8C);
            }
        }
    }

    private static MqttCallback collect(List<String> topics) {
        return new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                topics.add(topic);
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }
}
