package io.cairn.kernel.conformance.v5;

import static io.cairn.kernel.testsupport.ConfB5.expectDisconnect;
import static io.cairn.kernel.testsupport.ConfB5.props;
import static io.cairn.kernel.testsupport.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.kernel.testsupport.ConfB5;
import io.cairn.kernel.testsupport.EmbeddedBrokerExtension;
import io.cairn.kernel.testsupport.Packets;
import io.cairn.kernel.testsupport.Raw5;
import io.cairn.kernel.testsupport.RawMqttClient;
import io.cairn.kernel.testsupport.RawPacket;
import io.cairn.kernel.testsupport.Wire;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Topic names, topic filters and the topic-valued PUBLISH properties with MQTT 5 clients (MQTT 5.0 §3.3.2,
 * §4.7): the topic name field, wildcards, '$' topics, lengths, exact matching, the Response Topic and the
 * Content Type. Raw packets, to send ill-formed strings and see the reason codes.
 */
class ConfBTopic5ConformanceTest {

    private static final int TOPIC_FILTER_INVALID = 0x8F;

    @RegisterExtension
    final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest();

    private RawMqttClient client(String clientId) {
        return ConfB5.connect(broker, clientId);
    }

    private RawMqttClient subscriber(String clientId, String... filters) {
        RawMqttClient c = client(clientId);
        int id = 1;
        for (String f : filters) {
            assertThat(ConfB5.subscribe(c, id++, f, 0)).as("SUBACK for %s", f).containsExactly(0);
        }
        return c;
    }

    private static void publish(RawMqttClient c, String topic, String payload) {
        ConfB5.publishAndComplete(c, ConfB5.publish(topic, 0, 0, payload), 0, 0);
    }

    /** A QoS 0 PUBLISH from a fresh client to {@code topic}, so that a subscriber sees a marker after a test. */
    private void marker(String clientId, String topic) {
        publish(client(clientId), topic, "marker");
    }

    /** SUBSCRIBE of several filters (no properties), each at QoS 1; returns the SUBACK's reason codes. */
    private static List<Integer> subscribeAll(RawMqttClient c, int packetId, String... filters) {
        byte[][] entries = new byte[filters.length][];
        for (int i = 0; i < filters.length; i++) {
            entries[i] = Wire.concat(Wire.utf8(filters[i]), new byte[] {1});
        }
        c.send(Packets.frame(0x82, Wire.concat(Wire.u16(packetId), new byte[] {0}, Wire.concat(entries))));
        return ConfB5.subackCodes(c, packetId);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- §3.3.2.1 Topic Name ----

    @Test
    @Tag("MQTT-3.3.2-1")
    @DisplayName("[MQTT-3.3.2-1] a delivered PUBLISH starts with the topic name as a UTF-8 Encoded String, "
            + "multi-byte characters unchanged")
    void topicNameIsTheFirstField() {
        String topic = "name/\u00fc/\u20ac/\uD83D\uDE00";
        RawMqttClient sub = subscriber("b-name-sub", "name/#");
        publish(client("b-name-pub"), topic, "p");

        RawPacket p = sub.expect(Packets.PUBLISH);
        assertThat(p.body()).as("topic name, empty property block, payload")
                .isEqualTo(Wire.concat(Wire.utf8(topic), new byte[] {0}, utf8("p")));
    }

    @ParameterizedTest(name = "topic bytes {0}")
    @ValueSource(strings = {"C3 28", "ED A0 80", "FF", "C0 AF", "74 2F E2 82"})
    @Tag("MQTT-3.3.2-1")
    @DisplayName("[MQTT-3.3.2-1] a PUBLISH whose topic name is not well-formed UTF-8 is malformed: DISCONNECT "
            + "0x81, and it is not routed")
    void illFormedTopicName(String hex) {
        RawMqttClient sub = subscriber("b-bad-name-sub", "#");
        RawMqttClient bad = client("b-bad-name");
        bad.send(ConfB5.publishRawTopic(0x02, hex(hex), 1, props(), utf8("x")));
        expectDisconnect(bad, 0x81);

        marker("b-bad-name-marker", "bad-name/marker");
        assertThat(Raw5.expectPublish(sub).topic()).isEqualTo("bad-name/marker");
    }

    @ParameterizedTest(name = "PUBLISH body {0}")
    @ValueSource(strings = {"00", "00 05 61 2F 62", "00 05 61 2F 62 00"})
    @Tag("MQTT-3.3.2-1")
    @DisplayName("[MQTT-3.3.2-1] a QoS 1 PUBLISH without a complete topic name field (or without room for the "
            + "packet identifier after it) is malformed: DISCONNECT 0x81")
    void truncatedTopicName(String hex) {
        RawMqttClient bad = client("b-short-name");
        bad.send(Packets.frame(0x32, hex(hex)));
        expectDisconnect(bad, 0x81);
    }

    @ParameterizedTest(name = "topic name ''{0}''")
    @ValueSource(strings = {"a/+", "+", "a/#", "#", "a/b+", "a#", "+/a", "a/+/b"})
    @Tag("MQTT-3.3.2-2")
    @Tag("MQTT-4.7.0-1")
    @DisplayName("[MQTT-3.3.2-2] [MQTT-4.7.0-1] a PUBLISH whose topic name contains a wildcard is refused with "
            + "DISCONNECT (0x82 Protocol Error or 0x90 Topic Name invalid) and not routed")
    void wildcardInTopicName(String topic) {
        RawMqttClient sub = subscriber("b-wild-sub", "#");
        RawMqttClient bad = client("b-wild");
        bad.send(ConfB5.publish(topic, 1, 1, "must not be routed"));
        expectDisconnect(bad, 0x82, 0x90);

        marker("b-wild-marker", "wild/marker");
        assertThat(Raw5.expectPublish(sub).topic()).isEqualTo("wild/marker");
    }

    @Test
    @Tag("MQTT-4.7.0-1")
    @DisplayName("[MQTT-4.7.0-1] wildcards are accepted in topic filters, and the deliveries they cause carry the "
            + "published topic name, never a wildcard")
    void wildcardsInFiltersOnly() {
        RawMqttClient sub = client("b-wildf-sub");
        assertThat(subscribeAll(sub, 1, "wf/+/x", "wf/#", "+/only/#")).containsExactly(1, 1, 1);
        publish(client("b-wildf-pub"), "wf/a/x", "m");
        Raw5.Publish p = Raw5.expectPublish(sub);
        assertThat(p.topic()).isEqualTo("wf/a/x");
    }

    @Test
    @Tag("MQTT-3.3.2-3")
    @DisplayName("[MQTT-3.3.2-3] the topic name sent to a subscriber is the published one, which matches its "
            + "filter, also when the publisher used a Topic Alias")
    void deliveredTopicMatchesTheFilter() {
        RawMqttClient sub = subscriber("b-match-sub", "pt/+/x", "pt2/#");
        RawMqttClient pub = client("b-match-pub");
        publish(pub, "pt/abc/x", "1");
        publish(pub, "pt2/d/e/f", "2");
        byte[] alias = Wire.concat(new byte[] {0x23}, Wire.u16(3));
        ConfB5.publishAndComplete(pub, ConfB5.publish(0, "pt/alias/x", 0, props(alias), utf8("3")), 0, 0);
        ConfB5.publishAndComplete(pub, ConfB5.publish(0, "", 0, props(alias), utf8("4")), 0, 0);

        List<String> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Raw5.Publish p = Raw5.expectPublish(sub);
            got.add(p.topic() + " " + p.payloadText());
        }
        assertThat(got).containsExactly("pt/abc/x 1", "pt2/d/e/f 2", "pt/alias/x 3", "pt/alias/x 4");
    }

    // ---- §3.3.2.3 Response Topic and Content Type ----

    @Test
    @Tag("MQTT-3.3.2-13")
    @Tag("MQTT-3.3.2-14")
    @DisplayName("[MQTT-3.3.2-13] [MQTT-3.3.2-14] a Response Topic that is a valid UTF-8 topic name reaches the "
            + "subscriber byte for byte")
    void responseTopicForwarded() {
        String responseTopic = "reply/\u00e9t\u00e9/\u4e2d";
        RawMqttClient sub = subscriber("b-rt-sub", "rt/#");
        byte[] property = ConfB5.rawStringProperty(0x08, utf8(responseTopic));
        ConfB5.publishAndComplete(client("b-rt-pub"), ConfB5.publish(0x02, "rt/t", 1, props(property), utf8("q")),
                1, 1);

        Raw5.Publish p = Raw5.expectPublish(sub);
        assertThat(ConfB5.properties(p, 0x08)).extracting(ConfB5.Property::value)
                .containsExactly(utf8(responseTopic));
    }

    @ParameterizedTest(name = "Response Topic bytes {0}")
    @ValueSource(strings = {"72 2F C3 28", "ED A0 80", "72 00 73"})
    @Tag("MQTT-3.3.2-13")
    @DisplayName("[MQTT-3.3.2-13] a Response Topic that is not a well-formed UTF-8 string (or holds U+0000) is "
            + "malformed: DISCONNECT 0x81, and the message is not routed")
    void responseTopicNotUtf8(String hex) {
        RawMqttClient sub = subscriber("b-rtbad-sub", "rtbad/#");
        RawMqttClient bad = client("b-rtbad");
        bad.send(ConfB5.publish(0x02, "rtbad/t", 1, props(ConfB5.rawStringProperty(0x08, hex(hex))), utf8("x")));
        expectDisconnect(bad, 0x81);

        marker("b-rtbad-marker", "rtbad/marker");
        assertThat(Raw5.expectPublish(sub).topic()).isEqualTo("rtbad/marker");
    }

    @ParameterizedTest(name = "Response Topic ''{0}''")
    @ValueSource(strings = {"reply/+", "reply/#", "#", "+"})
    @Tag("MQTT-3.3.2-14")
    @DisplayName("[MQTT-3.3.2-14] a Response Topic with a wildcard is a protocol error: DISCONNECT 0x82, and the "
            + "message is not routed")
    void responseTopicWithWildcard(String responseTopic) {
        RawMqttClient sub = subscriber("b-rtwild-sub", "rtwild/#");
        RawMqttClient bad = client("b-rtwild");
        bad.send(ConfB5.publish(0x02, "rtwild/t", 1,
                props(ConfB5.rawStringProperty(0x08, utf8(responseTopic))), utf8("x")));
        expectDisconnect(bad, 0x82);

        marker("b-rtwild-marker", "rtwild/marker");
        assertThat(Raw5.expectPublish(sub).topic()).isEqualTo("rtwild/marker");
    }

    @ParameterizedTest(name = "Content Type bytes {0}")
    @ValueSource(strings = {"74 65 78 74 2F C3 28", "ED B0 80", "61 00 62"})
    @Tag("MQTT-3.3.2-19")
    @DisplayName("[MQTT-3.3.2-19] a Content Type that is not a well-formed UTF-8 string (or holds U+0000) is "
            + "malformed: DISCONNECT 0x81, and the message is not routed")
    void contentTypeNotUtf8(String hex) {
        RawMqttClient sub = subscriber("b-ctbad-sub", "ctbad/#");
        RawMqttClient bad = client("b-ctbad");
        bad.send(ConfB5.publish(0x02, "ctbad/t", 1, props(ConfB5.rawStringProperty(0x03, hex(hex))), utf8("x")));
        expectDisconnect(bad, 0x81);

        marker("b-ctbad-marker", "ctbad/marker");
        assertThat(Raw5.expectPublish(sub).topic()).isEqualTo("ctbad/marker");
    }

    @Test
    @Tag("MQTT-3.3.2-19")
    @Tag("MQTT-3.3.2-20")
    @DisplayName("[MQTT-3.3.2-19] [MQTT-3.3.2-20] the Content Type reaches every subscriber unaltered: exact, "
            + "wildcard and shared subscriptions, and the retained copy sent on a later subscribe")
    void contentTypeUnaltered() {
        String contentType = "Text/Plain; Charset=UTF-8;  x=\u00fc\u20ac ";
        List<RawMqttClient> subs = List.of(subscriber("b-ct-exact", "ct/t"), subscriber("b-ct-wild", "ct/+"),
                subscriber("b-ct-shared", "$share/g/ct/t"));
        byte[] property = ConfB5.rawStringProperty(0x03, utf8(contentType));
        ConfB5.publishAndComplete(client("b-ct-pub"), ConfB5.publish(0x03, "ct/t", 1, props(property), utf8("{}")),
                1, 1);

        for (RawMqttClient s : subs) {
            Raw5.Publish p = Raw5.expectPublish(s);
            assertThat(ConfB5.properties(p, 0x03)).as(s.name()).extracting(ConfB5.Property::value)
                    .containsExactly(utf8(contentType));
        }
        RawMqttClient late = subscriber("b-ct-late", "ct/#");
        Raw5.Publish retained = Raw5.expectPublish(late);
        assertThat(retained.retain()).isTrue();
        assertThat(ConfB5.properties(retained, 0x03)).extracting(ConfB5.Property::value)
                .containsExactly(utf8(contentType));
    }

    // ---- §4.7 Topic names and topic filters ----

    @ParameterizedTest(name = "filter ''{0}''")
    @ValueSource(strings = {"a/#/b", "a#", "#/a", "a/b#", "##", "a/#/#", "#a"})
    @Tag("MQTT-4.7.1-1")
    @DisplayName("[MQTT-4.7.1-1] a filter with '#' anywhere but alone as its last level is refused with SUBACK "
            + "0x8F, the other filters of the SUBSCRIBE are granted")
    void misplacedMultiLevelWildcard(String filter) {
        RawMqttClient c = client("b-bad-hash");
        assertThat(subscribeAll(c, 1, "ok/#", filter, "#")).containsExactly(1, TOPIC_FILTER_INVALID, 1);
    }

    @ParameterizedTest(name = "filter ''{0}''")
    @ValueSource(strings = {"a+", "+a", "a/b+/c", "a/+b", "++", "a/++/c", "+#", "a/+#"})
    @Tag("MQTT-4.7.1-2")
    @DisplayName("[MQTT-4.7.1-2] a filter with '+' sharing its level with other characters is refused with "
            + "SUBACK 0x8F, the other filters of the SUBSCRIBE are granted")
    void misplacedSingleLevelWildcard(String filter) {
        RawMqttClient c = client("b-bad-plus");
        assertThat(subscribeAll(c, 1, "+", filter, "a/+/c/+")).containsExactly(1, TOPIC_FILTER_INVALID, 1);
    }

    @ParameterizedTest(name = "''{0}'' matches ''{1}'': {2}")
    @CsvSource(delimiter = '|', value = {
        "sport/tennis/player1/#|sport/tennis/player1|true",
        "sport/tennis/player1/#|sport/tennis/player1/ranking|true",
        "sport/tennis/player1/#|sport/tennis/player1/score/wimbledon|true",
        "sport/#|sport|true",
        "#|sport/tennis|true",
        "#|/leading|true",
        "/#|/leading/x|true",
        "/#|leading|false",
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
        "a/+/+|a/b|false"})
    @Tag("MQTT-4.7.1-1")
    @Tag("MQTT-4.7.1-2")
    @DisplayName("[MQTT-4.7.1-1] [MQTT-4.7.1-2] '#' matches the parent and any number of levels, '+' exactly one "
            + "level (an empty one too), as in the examples of §4.7.1")
    void wildcardMatching(String filter, String topic, boolean matches) {
        RawMqttClient sub = subscriber("b-match", filter, "marker/done");
        RawMqttClient pub = client("b-match-pub");
        publish(pub, topic, "candidate");
        publish(pub, "marker/done", "marker");

        List<Raw5.Publish> before = ConfB5.until(sub, "marker/done");
        if (matches) {
            assertThat(before).extracting(Raw5.Publish::topic).containsExactly(topic);
        } else {
            assertThat(before).as("'%s' must not match '%s'", filter, topic).isEmpty();
        }
    }

    @Test
    @Tag("MQTT-4.7.2-1")
    @DisplayName("[MQTT-4.7.2-1] filters starting with '#' or '+' do not match topic names starting with '$'; "
            + "filters starting with '$' do")
    void dollarTopics() {
        RawMqttClient hash = subscriber("b-dollar-hash", "#");
        RawMqttClient plus = subscriber("b-dollar-plus", "+/info", "+/+", "marker");
        RawMqttClient dollar = subscriber("b-dollar-explicit", "$cairnb/#", "$cairnb/+");
        RawMqttClient pub = client("b-dollar-pub");

        publish(pub, "$cairnb/info", "dollar");
        publish(pub, "marker", "marker");

        assertThat(Raw5.expectPublish(dollar).topic()).isEqualTo("$cairnb/info");
        assertThat(Raw5.expectPublish(hash).payloadText()).as("'#' skips $ topics").isEqualTo("marker");
        assertThat(Raw5.expectPublish(plus).payloadText()).as("'+/info', '+/+' skip $ topics").isEqualTo("marker");
    }

    @Test
    @Tag("MQTT-4.7.3-1")
    @DisplayName("[MQTT-4.7.3-1] a PUBLISH with an empty topic name and no Topic Alias is a protocol error: "
            + "DISCONNECT 0x82")
    void emptyTopicName() {
        RawMqttClient sub = subscriber("b-empty-name-sub", "#");
        RawMqttClient bad = client("b-empty-name");
        bad.send(ConfB5.publish("", 1, 1, "nowhere"));
        expectDisconnect(bad, 0x82);

        marker("b-empty-name-marker", "empty/marker");
        assertThat(Raw5.expectPublish(sub).topic()).isEqualTo("empty/marker");
    }

    @Test
    @Tag("MQTT-4.7.3-1")
    @DisplayName("[MQTT-4.7.3-1] an empty topic filter is refused with SUBACK 0x8F; a one-character one is granted")
    void emptyTopicFilter() {
        RawMqttClient c = client("b-empty-filter");
        assertThat(subscribeAll(c, 1, "", "x", "/")).containsExactly(TOPIC_FILTER_INVALID, 1, 1);
        publish(client("b-empty-filter-pub"), "x", "one character");
        assertThat(Raw5.expectPublish(c).topic()).isEqualTo("x");
    }

    @Test
    @Tag("MQTT-4.7.3-2")
    @DisplayName("[MQTT-4.7.3-2] a topic name containing U+0000 is refused with DISCONNECT and close, and it is "
            + "not routed")
    void nullCharacterInTopicName() {
        RawMqttClient sub = subscriber("b-nul-name-sub", "#");
        RawMqttClient bad = client("b-nul-name");
        bad.send(ConfB5.publishRawTopic(0x02, bytes('a', 0x00, 'b'), 1, props(), utf8("x")));
        // §1.5.4 calls U+0000 in a string a Malformed Packet (0x81); Cairn answers 0x82 for it in a topic name
        // (but 0x81 in a Response Topic or Content Type): the reason code is MQTT-1.5.4-2's business, this
        // statement's is that the topic is refused
        expectDisconnect(bad, 0x81, 0x82);

        marker("b-nul-name-marker", "nul/marker");
        assertThat(Raw5.expectPublish(sub).topic()).isEqualTo("nul/marker");
    }

    @Test
    @Tag("MQTT-4.7.3-2")
    @DisplayName("[MQTT-4.7.3-2] a topic filter containing U+0000 is malformed: DISCONNECT 0x81, and the filter is "
            + "not subscribed")
    void nullCharacterInTopicFilter() {
        RawMqttClient c = client("b-nul-filter");
        c.send(Packets.frame(0x82, Wire.concat(Wire.u16(1), new byte[] {0},
                Wire.lengthPrefixed(bytes('a', 0x00, '/', '#')), new byte[] {1})));
        expectDisconnect(c, 0x81);
        assertThat(broker.broker().session("b-nul-filter").map(s -> s.subscriptions().size()).orElse(0)).isZero();
    }

    @Test
    @Tag("MQTT-4.7.3-3")
    @DisplayName("[MQTT-4.7.3-3] a topic name and a topic filter of 65535 bytes are accepted, matched and "
            + "delivered unchanged")
    void longestTopic() {
        String topic = "L/" + "\u00e9".repeat(10) + "x".repeat(65535 - 2 - 20);
        assertThat(utf8(topic)).hasSize(65535);
        RawMqttClient sub = client("b-long-sub");
        assertThat(subscribeAll(sub, 1, topic)).containsExactly(1);
        RawMqttClient pub = client("b-long-pub");
        ConfB5.publishAndComplete(pub, ConfB5.publish(topic, 1, 1, "long"), 1, 1);

        Raw5.Publish p = Raw5.expectPublish(sub);
        assertThat(utf8(p.topic())).hasSize(65535);
        assertThat(p.topic()).isEqualTo(topic);
        assertThat(p.payloadText()).isEqualTo("long");
    }

    @Test
    @Tag("MQTT-4.7.3-4")
    @DisplayName("[MQTT-4.7.3-4] matching does not normalise: case, empty levels, trailing '/', spaces and "
            + "Unicode normal forms all count")
    void noNormalisation() {
        String composed = "caf\u00e9";
        String decomposed = "cafe\u0301";
        RawMqttClient sub = subscriber("b-exact-sub", "n/Case", "n/a//b", "n/" + composed, "n/sp ace",
                "n/\uFF21", "marker");
        RawMqttClient pub = client("b-exact-pub");
        for (String t : List.of("n/case", "n/CASE", "n/a/b", "n/a//b/", "n/" + decomposed, "n/space", "n/sp  ace",
                "n/A", "n/a")) {
            publish(pub, t, "no match: " + t);
        }
        publish(pub, "n/Case", "match 1");
        publish(pub, "n/a//b", "match 2");
        publish(pub, "n/" + composed, "match 3");
        publish(pub, "n/sp ace", "match 4");
        publish(pub, "n/\uFF21", "match 5");
        publish(pub, "marker", "marker");

        List<String> got = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            got.add(Raw5.expectPublish(sub).payloadText());
        }
        assertThat(got).containsExactly("match 1", "match 2", "match 3", "match 4", "match 5", "marker");
    }

    private static byte[] hex(String hex) {
        String[] parts = hex.split(" ");
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }
}
