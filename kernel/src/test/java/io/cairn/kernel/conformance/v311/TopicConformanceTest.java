package io.cairn.kernel.conformance.v311;

import static io.cairn.kernel.testsupport.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 3.1.1 §4.7 topic names and topic filters: wildcards, '$' topics, lengths and exact matching. */
class TopicConformanceTest {

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    @ParameterizedTest(name = "filter ''{0}''")
    @ValueSource(strings = {"a/#/b", "a#", "#/a", "a/b#", "##", "a/#/#"})
    @Tag("MQTT-4.7.1-2")
    @DisplayName("[MQTT-4.7.1-2] a filter with '#' anywhere but alone as the last level is refused with 0x80")
    void misplacedMultiLevelWildcardRefused(String filter) {
        RawMqttClient c = broker.connect("bad-hash");
        c.send(Packets.subscribe(1).filter(filter, 1).filter("ok/filter", 1).build());
        assertThat(c.expectSuback(1).returnCodes()).containsExactly(0x80, 1);
    }

    @ParameterizedTest(name = "filter ''{0}''")
    @ValueSource(strings = {"a+", "+a", "a/b+/c", "a/+b", "++", "a/++/c"})
    @Tag("MQTT-4.7.1-3")
    @DisplayName("[MQTT-4.7.1-3] a filter with '+' sharing its level with other characters is refused with 0x80")
    void misplacedSingleLevelWildcardRefused(String filter) {
        RawMqttClient c = broker.connect("bad-plus");
        c.send(Packets.subscribe(1).filter(filter, 1).filter("ok/filter", 1).build());
        assertThat(c.expectSuback(1).returnCodes()).containsExactly(0x80, 1);
    }

    @ParameterizedTest(name = "''{0}'' matches ''{1}'': {2}")
    @CsvSource(delimiter = '|', value = {
        "sport/tennis/player1/#|sport/tennis/player1|true",
        "sport/tennis/player1/#|sport/tennis/player1/ranking|true",
        "sport/tennis/player1/#|sport/tennis/player1/score/wimbledon|true",
        "sport/#|sport|true",
        "#|sport/tennis|true",
        "#|/leading|true",
        "sport/tennis/+|sport/tennis/player1|true",
        "sport/tennis/+|sport/tennis/player1/ranking|false",
        "sport/+|sport|false",
        "sport/+|sport/|true",
        "+|sport|true",
        "+|/finance|false",
        "+/+|/finance|true",
        "/+|/finance|true",
        "+/tennis/#|sport/tennis/player1|true",
        "+/tennis/#|sport/tennis|true",
        "a/+/c|a//c|true",
        "a/b|a/b/|false"})
    @Tag("MQTT-4.7.1-2")
    @Tag("MQTT-4.7.1-3")
    @DisplayName("[MQTT-4.7.1-2] [MQTT-4.7.1-3] wildcard matching follows the examples of §4.7.1")
    void wildcardMatching(String filter, String topic, boolean matches) {
        RawMqttClient sub = broker.connect("match-sub").subscribe(filter, 0).subscribe("marker/done", 0);
        RawMqttClient pub = broker.connect("match-pub");
        pub.publish(topic, 0, "candidate");
        pub.publish("marker/done", 0, "marker");

        RawPacket.Publish first = sub.expectPublish();
        if (matches) {
            assertThat(first.topic()).isEqualTo(topic);
            assertThat(sub.expectPublish().payloadText()).isEqualTo("marker");
        } else {
            assertThat(first.payloadText()).as("'%s' must not match '%s'", filter, topic).isEqualTo("marker");
        }
    }

    @ParameterizedTest(name = "topic name ''{0}''")
    @ValueSource(strings = {"a/+", "+", "a/#", "#", "a/b+", "a#"})
    @Tag("MQTT-4.7.1-1")
    @Tag("MQTT-3.3.2-2")
    @DisplayName("[MQTT-4.7.1-1] [MQTT-3.3.2-2] a PUBLISH whose topic name contains a wildcard closes the "
            + "connection and is not routed")
    void wildcardInTopicNameCloses(String topic) {
        RawMqttClient sub = broker.connect("wild-name-sub").subscribe("#", 0);
        RawMqttClient pub = broker.connect("wild-name-pub");
        pub.send(Packets.publish(topic, 0, "must not be routed").build());
        pub.expectClosed();

        RawMqttClient other = broker.connect("wild-name-other");
        other.publish("marker", 0, "marker");
        assertThat(sub.expectPublish().payloadText()).isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-4.7.2-1")
    @DisplayName("[MQTT-4.7.2-1] filters starting with a wildcard do not match topics starting with '$'; "
            + "a filter starting with '$' does")
    void dollarTopicsAreNotMatchedByLeadingWildcards() {
        RawMqttClient hash = broker.connect("dollar-hash").subscribe("#", 0);
        RawMqttClient plus = broker.connect("dollar-plus").subscribe("+/info", 0).subscribe("marker", 0);
        RawMqttClient dollar = broker.connect("dollar-explicit").subscribe("$cairntest/#", 0);
        RawMqttClient dollarPlus = broker.connect("dollar-plus-inside").subscribe("$cairntest/+", 0);
        RawMqttClient pub = broker.connect("dollar-pub");

        pub.publish("$cairntest/info", 0, "dollar");
        pub.publish("marker", 0, "marker");

        assertThat(dollar.expectPublish().topic()).isEqualTo("$cairntest/info");
        assertThat(dollarPlus.expectPublish().topic()).isEqualTo("$cairntest/info");
        assertThat(hash.expectPublish().payloadText()).as("'#' skips $ topics").isEqualTo("marker");
        assertThat(plus.expectPublish().payloadText()).as("'+/info' skips $ topics").isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-4.7.3-1")
    @Tag("MQTT-4.8.0-1")
    @DisplayName("[MQTT-4.7.3-1] a PUBLISH with an empty topic name closes the connection")
    void emptyTopicNameCloses() {
        RawMqttClient pub = broker.connect("empty-name");
        pub.send(Packets.publish("", 0, "nowhere").build());
        pub.expectClosed();
    }

    @Test
    @Tag("MQTT-4.7.3-1")
    @DisplayName("[MQTT-4.7.3-1] an empty topic filter is refused with 0x80")
    void emptyTopicFilterRefused() {
        RawMqttClient c = broker.connect("empty-filter");
        c.send(Packets.subscribe(1).filter("", 0).filter("ok", 0).build());
        assertThat(c.expectSuback(1).returnCodes()).containsExactly(0x80, 0);
    }

    @Test
    @Tag("MQTT-4.7.3-2")
    @Tag("MQTT-1.5.3-2")
    @DisplayName("[MQTT-4.7.3-2] [MQTT-1.5.3-2] a topic name containing U+0000 closes the connection")
    void nullCharacterInTopicNameCloses() {
        RawMqttClient pub = broker.connect("nul-name");
        pub.send(Packets.publish("x", 0, "p").topicBytes(bytes('a', 0x00, 'b')).build());
        pub.expectClosed();
    }

    @Test
    @Tag("MQTT-4.7.3-2")
    @Tag("MQTT-1.5.3-2")
    @DisplayName("[MQTT-4.7.3-2] [MQTT-1.5.3-2] a topic filter containing U+0000 closes the connection")
    void nullCharacterInTopicFilterCloses() {
        RawMqttClient c = broker.connect("nul-filter");
        c.send(Packets.subscribe(1).filterBytes(bytes('a', 0x00, '/', '#'), 0).build());
        c.expectClosed();
    }

    @Test
    @Tag("MQTT-4.7.3-3")
    @DisplayName("[MQTT-4.7.3-3] a topic name of 65535 bytes is routed and delivered unchanged")
    void longestTopicName() {
        String topic = "L/" + "x".repeat(65535 - 2);
        RawMqttClient sub = broker.connect("long-sub").subscribe("L/+", 1);
        RawMqttClient pub = broker.connect("long-pub");
        pub.publish(topic, 1, "long");
        RawPacket.Publish p = sub.receiveAndAcknowledge();
        assertThat(p.topicBytes()).hasSize(65535);
        assertThat(p.topic()).isEqualTo(topic);
    }

    @Test
    @Tag("MQTT-4.7.3-4")
    @DisplayName("[MQTT-4.7.3-4] matching does not normalise: case, empty levels, trailing '/', spaces and "
            + "Unicode normal forms all count")
    void noNormalisation() {
        String composed = "caf\u00e9";      // é as one code point (NFC)
        String decomposed = "cafe\u0301";   // e + combining acute accent (NFD)
        RawMqttClient sub = broker.connect("exact-sub").subscribe("n/Case", 0).subscribe("n/a//b", 0)
                .subscribe("n/" + composed, 0).subscribe("n/sp ace", 0).subscribe("marker", 0);
        RawMqttClient pub = broker.connect("exact-pub");
        for (String t : List.of("n/case", "n/CASE", "n/a/b", "n/a//b/", "n/" + decomposed, "n/space", "n/sp  ace")) {
            pub.publish(t, 0, "no match: " + t);
        }
        pub.publish("n/Case", 0, "match 1");
        pub.publish("n/a//b", 0, "match 2");
        pub.publish("n/" + composed, 0, "match 3");
        pub.publish("n/sp ace", 0, "match 4");
        pub.publish("marker", 0, "marker");

        List<String> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(sub.expectPublish().payloadText());
        }
        assertThat(got).containsExactly("match 1", "match 2", "match 3", "match 4", "marker");
    }

    @Test
    @Tag("MQTT-1.5.3-3")
    @DisplayName("[MQTT-1.5.3-3] a leading U+FEFF (EF BB BF) in a topic is kept: it is part of the name")
    void byteOrderMarkIsKept() {
        String bomTopic = "\uFEFFbom/t";
        RawMqttClient sub = broker.connect("bom-sub").subscribe(bomTopic, 0).subscribe("marker", 0);
        RawMqttClient plain = broker.connect("bom-plain").subscribe("bom/t", 0).subscribe("marker", 0);
        RawMqttClient pub = broker.connect("bom-pub");
        pub.publish(bomTopic, 0, "with bom");
        pub.publish("marker", 0, "marker");

        RawPacket.Publish p = sub.expectPublish();
        assertThat(p.topicBytes()).startsWith(bytes(0xEF, 0xBB, 0xBF));
        assertThat(p.topic()).isEqualTo(bomTopic);
        assertThat(plain.expectPublish().payloadText()).as("'bom/t' is another topic").isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-4.7.1-2")
    @DisplayName("[MQTT-4.7.1-2] '#' alone matches every topic not starting with '$', including one starting "
            + "with '/'")
    void hashMatchesEverything() {
        RawMqttClient sub = broker.connect("hash-all").subscribe("#", 0);
        RawMqttClient pub = broker.connect("hash-all-pub");
        List<String> topics = List.of("a", "a/b/c", "/a", "/", "a/", "x y z");
        for (String t : topics) {
            pub.publish(t, 0, t);
        }
        List<String> got = new ArrayList<>();
        while (got.size() < topics.size()) {
            got.add(sub.expectPublish().topic());
        }
        assertThat(got).containsExactlyElementsOf(topics);
    }
}
