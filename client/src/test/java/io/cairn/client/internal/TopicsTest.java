package io.cairn.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "a/b, a/b, true",
            "a/b, a/c, false",
            "a/b, a/b/c, false",
            "a/b/c, a/b, false",
            "a/+, a/b, true",
            "a/+, a/, true",
            "a/+, a/b/c, false",
            "+/+, a/b, true",
            "+, a, true",
            "+, a/b, false",
            "a/+/c, a/b/c, true",
            "a/+/c, a/b/d, false",
            "#, a/b/c, true",
            "a/#, a, true",
            "a/#, a/b/c, true",
            "a/#, ab, false",
            "a/#, b/a, false",
            "+/#, a, true",
            "/+, /a, true",
            "sport/tennis/+, sport/tennis/player1, true",
            "$share/g/a/+, a/b, false"
    })
    @DisplayName("filters match topic names by level")
    void matches(String filter, String topic, boolean expected) {
        assertThat(Topics.matches(filter, topic)).isEqualTo(expected);
    }

    @Test
    @Tag("MQTT-4.7.2-1")
    @DisplayName("[MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with $")
    void dollarTopicsNotMatchedByLeadingWildcards() {
        assertThat(Topics.matches("#", "$SYS/broker/uptime")).isFalse();
        assertThat(Topics.matches("+/broker/uptime", "$SYS/broker/uptime")).isFalse();
        assertThat(Topics.matches("$SYS/#", "$SYS/broker/uptime")).isTrue();
        assertThat(Topics.matches("$SYS/+/uptime", "$SYS/broker/uptime")).isTrue();
    }

    @Test
    @DisplayName("the match part of a shared subscription drops $share/<group>/")
    void sharedSubscriptionMatchPart() {
        assertThat(Topics.matchPart("$share/g1/a/+")).isEqualTo("a/+");
        assertThat(Topics.matchPart("a/+")).isEqualTo("a/+");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b", "/", "a//b", "$SYS/x", "caf\u00e9", "\ud83d\ude00/x"})
    @DisplayName("valid topic names pass")
    void validTopicNames(String topic) {
        assertThatNoException().isThrownBy(() -> Topics.requireValidTopicName(topic));
    }

    @Test
    @Tag("MQTT-3.3.2-2")
    @DisplayName("[MQTT-3.3.2-2] a topic name with a wildcard is refused locally, naming the wildcard")
    void wildcardsInTopicNames() {
        assertThatIllegalArgumentException().isThrownBy(() -> Topics.requireValidTopicName("a/+"))
                .withMessageContaining("'+'");
        assertThatIllegalArgumentException().isThrownBy(() -> Topics.requireValidTopicName("a/#"))
                .withMessageContaining("'#'");
    }

    @Test
    @Tag("MQTT-4.7.3-1")
    @DisplayName("[MQTT-4.7.3-1] empty, NUL, unpaired surrogates and over-long names are refused locally")
    void otherBadTopicNames() {
        assertThatIllegalArgumentException().isThrownBy(() -> Topics.requireValidTopicName(""))
                .withMessageContaining("empty");
        assertThatIllegalArgumentException().isThrownBy(() -> Topics.requireValidTopicName("a\u0000b"))
                .withMessageContaining("NUL");
        assertThatIllegalArgumentException().isThrownBy(() -> Topics.requireValidTopicName("a\ud800"))
                .withMessageContaining("surrogate");
        assertThatIllegalArgumentException().isThrownBy(() -> Topics.requireValidTopicName(null))
                .withMessageContaining("null");
        assertThatNoException().isThrownBy(() -> Topics.requireValidTopicName("x".repeat(65535)));
        assertThatIllegalArgumentException().isThrownBy(() -> Topics.requireValidTopicName("x".repeat(65536)))
                .withMessageContaining("65536 UTF-8 bytes");
        // 3 bytes per char in UTF-8: 21846 chars are 65538 bytes
        assertThatIllegalArgumentException().isThrownBy(() -> Topics.requireValidTopicName("\u20ac".repeat(21846)))
                .withMessageContaining("65538 UTF-8 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "a/#", "a/+/b", "+/+", "/#", "$share/g/a/#"})
    @DisplayName("valid filters pass")
    void validFilters(String filter) {
        assertThatNoException().isThrownBy(() -> Topics.requireValidFilter(filter));
    }

    @ParameterizedTest
    @Tag("MQTT-4.7.1-2")
    @ValueSource(strings = {"a#", "a/#/b", "#/a", "a+", "a/+b", "+a/b", "", "$share/g", "$share//a", "$share/g/"})
    @DisplayName("[MQTT-4.7.1-2] wildcards that are not whole levels, and malformed shares, are refused")
    void invalidFilters(String filter) {
        assertThatIllegalArgumentException().isThrownBy(() -> Topics.requireValidFilter(filter));
    }
}
