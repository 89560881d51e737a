package io.cairn.kernel.conformance.v5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Hive5;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Shared subscriptions (MQTT 5.0 §4.8.2), also for MQTT 3.1.1 clients: one member of a group gets each message,
 * and messages held by a member that goes away are passed to another. Raw clients, so that a member can hold
 * back its acknowledgements. See docs/mqtt5.md.
 */
class SharedSubscription5ConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String MARK = "mark";

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private Mqtt5BlockingClient publisher() {
        Mqtt5BlockingClient p = Hive5.client(broker, "shared-publisher");
        p.connectWith().cleanStart(true).send();
        return p;
    }

    /** An MQTT 5 client, clean start, its session kept {@code expiry} seconds, subscribed to {@code filters}. */
    private RawMqttClient member(String clientId, long expiry, int qos, String... filters) {
        RawMqttClient c = broker.rawClient(clientId);
        connect5(c, clientId, expiry, true);
        int id = 1;
        for (String filter : filters) {
            c.send(Raw5.subscribe(id, filter, qos));
            assertThat(c.expect(Packets.SUBACK).body()).as("SUBACK for %s", filter)
                    .containsExactly(0, id, 0, qos);
            id++;
        }
        return c;
    }

    private static void connect5(RawMqttClient c, String clientId, long expiry, boolean cleanStart) {
        c.send(Packets.connect(clientId).cleanSession(cleanStart)
                .mqtt5(expiry > 0 ? new byte[][] {Packets.property(0x11, Packets.u32(expiry))} : new byte[0][])
                .build());
        assertThat(c.expectConnack5().returnCode()).isZero();
    }

    private static void publish(Mqtt5BlockingClient p, String topic, int qos, String payload) {
        p.publishWith().topic(topic).qos(MqttQos.fromCode(qos)).payload(payload.getBytes(StandardCharsets.UTF_8))
                .send();
    }

    /**
     * Reads PUBLISH packets from the members until {@code total} have arrived, acknowledging those of members
     * in {@code acking}; returns each member's messages.
     */
    private static Map<RawMqttClient, List<Raw5.Publish>> collect(int total, Set<RawMqttClient> acking,
                                                                  RawMqttClient... members) {
        Map<RawMqttClient, List<Raw5.Publish>> got = new LinkedHashMap<>();
        for (RawMqttClient m : members) {
            got.put(m, new ArrayList<>());
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        int count = 0;
        while (count < total) {
            assertThat(System.nanoTime()).as("%d of %d messages arrived in time: %s", count, total, got)
                    .isLessThan(deadline);
            for (RawMqttClient m : members) {
                Optional<RawPacket> p = m.poll(Duration.ofMillis(20));
                if (p.isPresent()) {
                    Raw5.Publish publish = Raw5.publish(p.get());
                    got.get(m).add(publish);
                    count++;
                    if (acking.contains(m) && publish.qos() == 1) {
                        m.send(Packets.puback(publish.packetId()));
                    }
                }
            }
        }
        return got;
    }

    private static List<String> payloads(List<Raw5.Publish> messages) {
        return messages.stream().map(Raw5.Publish::payloadText).toList();
    }

    /** The next PUBLISH {@code c} gets is the marker: nothing came before it. */
    private static void expectMarkerNext(RawMqttClient c, Mqtt5BlockingClient publisher, String marker) {
        publish(publisher, MARK, 1, marker);
        Raw5.Publish p = Raw5.expectPublish(c);
        assertThat(p.topic() + ":" + p.payloadText()).as("%s: the next message", c.name())
                .isEqualTo(MARK + ":" + marker);
        c.send(Packets.puback(p.packetId()));
    }

    @Test
    @Tag("MQTT-4.8.2-1")
    @Tag("MQTT-4.8.2-2")
    @DisplayName("[MQTT-4.8.2-1] [MQTT-4.8.2-2] a shared filter needs a Share Name without '/', '+' or '#' and a "
            + "topic filter after it; others are refused with 0x8F")
    void invalidShareNames() {
        RawMqttClient c = broker.rawClient("shared-invalid");
        connect5(c, "shared-invalid", 0, true);
        String[] invalid = {"$share//a", "$share/g+/a", "$share/g#/a", "$share/g", "$share/g/", "$share/g/a/#/b"};
        int id = 1;
        for (String filter : invalid) {
            c.send(Raw5.subscribe(id, filter, 1));
            assertThat(c.expect(Packets.SUBACK).body()).as("SUBACK for %s", filter).containsExactly(0, id, 0, 0x8F);
            id++;
        }
        c.send(Raw5.subscribe(id, "$share/g/a/+", 1));
        assertThat(c.expect(Packets.SUBACK).body()).containsExactly(0, id, 0, 1);
    }

    @Test
    @Tag("MQTT-4.8.2-3")
    @DisplayName("[MQTT-4.8.2-3] each message goes to exactly one member of the group (an MQTT 5 and an MQTT 3.1.1 "
            + "client), at the QoS that member was granted")
    void oneMemberPerMessage() {
        Mqtt5BlockingClient publisher = publisher();
        RawMqttClient v5 = member("shared-v5", 0, 1, "$share/workers/jobs/+", MARK);
        RawMqttClient v311 = broker.rawClient("shared-v311").connect("shared-v311")
                .subscribe("$share/workers/jobs/+", 0).subscribe(MARK, 1);

        for (int i = 1; i <= 10; i++) {
            publish(publisher, "jobs/print", 1, "job-" + i);
        }

        Map<RawMqttClient, List<Raw5.Publish>> got = new LinkedHashMap<>();
        got.put(v5, new ArrayList<>());
        List<RawPacket.Publish> old = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got.get(v5).size() + old.size() < 10) {
            assertThat(System.nanoTime()).as("10 messages arrived in time").isLessThan(deadline);
            v5.poll(Duration.ofMillis(20)).ifPresent(p -> {
                Raw5.Publish m = Raw5.publish(p);
                got.get(v5).add(m);
                v5.send(Packets.puback(m.packetId()));
            });
            v311.poll(Duration.ofMillis(20)).ifPresent(p -> old.add(p.publish()));
        }
        List<String> all = new ArrayList<>(payloads(got.get(v5)));
        old.forEach(p -> all.add(p.payloadText()));
        assertThat(all).containsExactlyInAnyOrder(
                "job-1", "job-2", "job-3", "job-4", "job-5", "job-6", "job-7", "job-8", "job-9", "job-10");
        assertThat(got.get(v5)).as("messages to the MQTT 5 member").isNotEmpty()
                .allSatisfy(m -> assertThat(m.qos()).isEqualTo(1));
        assertThat(old).as("messages to the MQTT 3.1.1 member").isNotEmpty()
                .allSatisfy(m -> assertThat(m.qos()).isZero());
        expectMarkerNext(v5, publisher, "end"); // and no copy of any job came after them
        RawPacket.Publish mark = v311.expectPublish();
        assertThat(mark.topic()).isEqualTo(MARK);
    }

    @Test
    @DisplayName("a member whose connection ends with unacknowledged QoS 1 messages (its session ends) has them "
            + "delivered to another member")
    void unacknowledgedGoToAnotherMemberWhenSessionEnds() {
        Mqtt5BlockingClient publisher = publisher();
        RawMqttClient quitter = member("shared-quitter", 0, 1, "$share/g/orders/#");
        RawMqttClient stayer = member("shared-stayer", 0, 1, "$share/g/orders/#", MARK);
        for (int i = 1; i <= 6; i++) {
            publish(publisher, "orders/new", 1, "order-" + i);
        }
        Map<RawMqttClient, List<Raw5.Publish>> got = collect(6, Set.of(stayer), quitter, stayer);
        List<String> held = payloads(got.get(quitter));
        assertThat(held).as("messages the quitter holds unacknowledged").isNotEmpty();

        quitter.abort();

        Map<RawMqttClient, List<Raw5.Publish>> redelivered = collect(held.size(), Set.of(stayer), stayer);
        assertThat(payloads(redelivered.get(stayer))).containsExactlyInAnyOrderElementsOf(held);
        expectMarkerNext(stayer, publisher, "end");
    }

    @Test
    @DisplayName("a member that goes offline with its session kept has its unacknowledged QoS 1 messages delivered "
            + "to a connected member, and does not get them again when it returns")
    void unacknowledgedGoToAnotherMemberWhenConnectionEnds() {
        Mqtt5BlockingClient publisher = publisher();
        RawMqttClient away = member("shared-away", 300, 1, "$share/g/orders/#", MARK);
        RawMqttClient stayer = member("shared-stayer", 0, 1, "$share/g/orders/#", MARK);
        for (int i = 1; i <= 6; i++) {
            publish(publisher, "orders/new", 1, "order-" + i);
        }
        Map<RawMqttClient, List<Raw5.Publish>> got = collect(6, Set.of(stayer), away, stayer);
        List<String> held = payloads(got.get(away));
        assertThat(held).isNotEmpty();

        away.abort();
        Map<RawMqttClient, List<Raw5.Publish>> redelivered = collect(held.size(), Set.of(stayer), stayer);
        assertThat(payloads(redelivered.get(stayer))).containsExactlyInAnyOrderElementsOf(held);

        RawMqttClient back = broker.rawClient("shared-away-again");
        connect5(back, "shared-away", 300, false);
        expectMarkerNext(back, publisher, "back"); // nothing of the group's was left in its session
    }

    @Test
    @DisplayName("a member that is offline with its session kept does not take the group's messages while "
            + "another member is connected")
    void offlineMemberIsSkipped() {
        Mqtt5BlockingClient publisher = publisher();
        RawMqttClient sleeper = member("shared-sleeper", 300, 1, "$share/g/readings", MARK);
        sleeper.disconnect();
        RawMqttClient awake = member("shared-awake", 0, 1, "$share/g/readings");
        for (int i = 1; i <= 6; i++) {
            publish(publisher, "readings", 1, "r" + i);
        }
        assertThat(payloads(collect(6, Set.of(awake), awake).get(awake)))
                .containsExactlyInAnyOrder("r1", "r2", "r3", "r4", "r5", "r6");

        RawMqttClient back = broker.rawClient("shared-sleeper-again");
        connect5(back, "shared-sleeper", 300, false);
        expectMarkerNext(back, publisher, "back");
    }

    @Test
    @DisplayName("with every member offline, a persistent member's session keeps the group's QoS 1 messages until "
            + "it returns")
    void allOfflineKeepsMessages() {
        Mqtt5BlockingClient publisher = publisher();
        RawMqttClient sleeper = member("shared-only", 300, 1, "$share/g/readings");
        sleeper.disconnect();
        for (int i = 1; i <= 3; i++) {
            publish(publisher, "readings", 1, "r" + i);
        }
        RawMqttClient back = broker.rawClient("shared-only-again");
        connect5(back, "shared-only", 300, false);
        assertThat(payloads(collect(3, Set.of(back), back).get(back))).containsExactly("r1", "r2", "r3");
    }

    @Test
    @Tag("MQTT-4.8.2-4")
    @DisplayName("[MQTT-4.8.2-4] a QoS 2 delivery cut by a disconnect stays with its member and is completed when "
            + "that client returns")
    void qos2StaysWithItsMember() {
        Mqtt5BlockingClient publisher = publisher();
        RawMqttClient away = member("shared-q2-away", 300, 2, "$share/g/pay/#");
        RawMqttClient stayer = member("shared-q2-stayer", 0, 2, "$share/g/pay/#", MARK);
        publish(publisher, "pay/1", 2, "p1");
        publish(publisher, "pay/2", 2, "p2");
        Map<RawMqttClient, List<Raw5.Publish>> got = collect(2, Set.of(), away, stayer);
        assertThat(got.get(away)).hasSize(1);
        Raw5.Publish cut = got.get(away).get(0);
        Raw5.Publish other = got.get(stayer).get(0);
        stayer.send(Packets.pubrec(other.packetId()));
        stayer.expectAck(Packets.PUBREL, other.packetId());
        stayer.send(Packets.pubcomp(other.packetId()));

        away.abort();
        expectMarkerNext(stayer, publisher, "after"); // the cut QoS 2 message did not move

        RawMqttClient back = broker.rawClient("shared-q2-back");
        connect5(back, "shared-q2-away", 300, false);
        Raw5.Publish again = Raw5.expectPublish(back);
        assertThat(again.payloadText()).isEqualTo(cut.payloadText());
        assertThat(again.packetId()).isEqualTo(cut.packetId());
        assertThat(again.dup()).isTrue();
        back.send(Packets.pubrec(again.packetId()));
        back.expectAck(Packets.PUBREL, again.packetId());
        back.send(Packets.pubcomp(again.packetId()));
    }

    @Test
    @Tag("MQTT-4.8.2-6")
    @DisplayName("[MQTT-4.8.2-6] a message a member rejects with PUBACK 0x80 is discarded, not given to another "
            + "member, also when that member leaves")
    void rejectedIsNotRedirected() {
        Mqtt5BlockingClient publisher = publisher();
        RawMqttClient rejecter = member("shared-rejecter", 0, 1, "$share/g/tasks");
        RawMqttClient other = member("shared-other", 0, 1, "$share/g/tasks", MARK);
        publish(publisher, "tasks", 1, "t1");
        publish(publisher, "tasks", 1, "t2");
        Map<RawMqttClient, List<Raw5.Publish>> got = collect(2, Set.of(other), rejecter, other);
        Raw5.Publish rejected = got.get(rejecter).get(0);
        rejecter.send(Raw5.ack(0x40, rejected.packetId(), 0x80));
        rejecter.disconnect();

        expectMarkerNext(other, publisher, "end");
    }

    @Test
    @Tag("MQTT-3.8.3-4")
    @DisplayName("[MQTT-3.8.3-4] No Local on a shared subscription is a protocol error: DISCONNECT 0x82")
    void noLocalIsAProtocolError() {
        RawMqttClient c = broker.rawClient("shared-nolocal");
        connect5(c, "shared-nolocal", 0, true);
        c.send(Raw5.subscribe(1, "$share/g/x", 0x04 | 1));
        RawPacket disconnect = c.expect(Packets.DISCONNECT);
        assertThat(disconnect.body()[0] & 0xFF).isEqualTo(0x82);
        c.expectClosed();
    }

    @Test
    @DisplayName("a new shared subscription gets no retained messages (MQTT 5.0 §4.8.2)")
    void noRetainedMessages() {
        Mqtt5BlockingClient publisher = publisher();
        publisher.publishWith().topic("state/door").retain(true).qos(MqttQos.AT_LEAST_ONCE)
                .payload("open".getBytes(StandardCharsets.UTF_8)).send();
        RawMqttClient c = member("shared-retained", 0, 1, "$share/g/state/#", MARK);
        expectMarkerNext(c, publisher, "first");
    }

    @Test
    @DisplayName("a member that unsubscribes gets no more of the group's messages; the others get them all")
    void unsubscribeLeavesTheGroup() {
        Mqtt5BlockingClient publisher = publisher();
        RawMqttClient leaver = member("shared-leaver", 0, 1, "$share/g/ticks", MARK);
        RawMqttClient stayer = member("shared-stays", 0, 1, "$share/g/ticks");
        leaver.send(Raw5.unsubscribe(9, "$share/g/ticks"));
        assertThat(leaver.expect(Packets.UNSUBACK).body()).containsExactly(0, 9, 0, 0);
        for (int i = 1; i <= 4; i++) {
            publish(publisher, "ticks", 1, "t" + i);
        }
        assertThat(payloads(collect(4, Set.of(stayer), stayer).get(stayer)))
                .containsExactlyInAnyOrder("t1", "t2", "t3", "t4");
        expectMarkerNext(leaver, publisher, "end");
    }

    @Test
    @DisplayName("two groups on the same filter each get every message once; a plain subscription beside them "
            + "gets its own copy")
    void groupsAreIndependent() {
        Mqtt5BlockingClient publisher = publisher();
        RawMqttClient a = member("shared-a", 0, 1, "$share/one/logs");
        RawMqttClient b = member("shared-b", 0, 1, "$share/two/logs");
        RawMqttClient plain = member("shared-plain", 0, 1, "logs");
        for (int i = 1; i <= 3; i++) {
            publish(publisher, "logs", 1, "l" + i);
        }
        Set<RawMqttClient> all = new HashSet<>(List.of(a, b, plain));
        Map<RawMqttClient, List<Raw5.Publish>> got = collect(9, all, a, b, plain);
        for (RawMqttClient c : List.of(a, b, plain)) {
            assertThat(payloads(got.get(c))).as(c.name()).containsExactly("l1", "l2", "l3");
        }
    }
}
