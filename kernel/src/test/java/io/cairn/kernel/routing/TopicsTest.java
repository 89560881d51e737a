package io.cairn.kernel.routing;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class TopicsTest {

    private static final int ANY_LENGTH = Topics.MAX_BYTES;
    private static final int ANY_DEPTH = Integer.MAX_VALUE;

    private static String name(String topic) {
        return Topics.validateTopicName(topic, ANY_LENGTH, ANY_DEPTH);
    }

    private static String filter(String filter) {
        return Topics.validateTopicFilter(filter, ANY_LENGTH, ANY_DEPTH);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"sport/tennis/player1", "sport", "/finance", "finance/", "/", "//", "a//b",
            "$SYS/broker/uptime", "Accounts payable", "caf\u00e9/\u65e5\u672c", "sport/\ud83c\udfbe", "\ufeffsport",
            "a$", "wild*card?"})
    @DisplayName("valid topic names are accepted, empty levels included")
    void acceptsTopicNames(String topic) {
        assertThat(name(topic)).isNull();
        assertThat(filter(topic)).as("every valid topic name is a valid filter too").isNull();
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "sport/tennis/+       | topic name contains wildcard '+' at index 13",
            "sport/#              | topic name contains wildcard '#' at index 6",
            "+                    | topic name contains wildcard '+' at index 0",
            "sport+               | topic name contains wildcard '+' at index 5"})
    @Tag("MQTT-4.7.1-1")
    @Tag("MQTT-3.3.2-2")
    @DisplayName("[MQTT-4.7.1-1] a topic name with a wildcard is rejected, naming the wildcard and its index")
    void rejectsWildcardsInTopicNames(String topic, String reason) {
        assertThat(name(topic)).isEqualTo(reason);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"sport/tennis/player1/#", "sport/tennis/#", "sport/#", "#", "/#", "+/#",
            "+/tennis/#", "sport/+/player1", "sport/+", "+", "+/+", "/+", "+/", "a//+/", "$SYS/#", "$SYS/+/x"})
    @Tag("MQTT-4.7.1-1")
    @Tag("MQTT-4.7.1-2")
    @Tag("MQTT-4.7.1-3")
    @DisplayName("[MQTT-4.7.1-2] [MQTT-4.7.1-3] filters with whole-level wildcards are accepted")
    void acceptsFilters(String filter) {
        assertThat(filter(filter)).isNull();
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "sport/tennis#            | topic filter has '#' at index 12 that is not the whole last level",
            "sport/tennis/#/ranking   | topic filter has '#' at index 13 that is not the whole last level",
            "#/                       | topic filter has '#' at index 0 that is not the whole last level",
            "##                       | topic filter has '#' at index 0 that is not the whole last level",
            "a/#b                     | topic filter has '#' at index 2 that is not the whole last level"})
    @Tag("MQTT-4.7.1-2")
    @DisplayName("[MQTT-4.7.1-2] '#' anywhere but the whole last level is rejected")
    void rejectsMisplacedMultiLevelWildcard(String filter, String reason) {
        assertThat(filter(filter)).isEqualTo(reason);
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "sport+               | topic filter has '+' at index 5 that is not a whole level",
            "sport/+player1       | topic filter has '+' at index 6 that is not a whole level",
            "++                   | topic filter has '+' at index 0 that is not a whole level",
            "a/b+/c               | topic filter has '+' at index 3 that is not a whole level",
            "+#                   | topic filter has '+' at index 0 that is not a whole level"})
    @Tag("MQTT-4.7.1-3")
    @DisplayName("[MQTT-4.7.1-3] '+' that does not occupy a whole level is rejected")
    void rejectsPartialSingleLevelWildcard(String filter, String reason) {
        assertThat(filter(filter)).isEqualTo(reason);
    }

    @Test
    @Tag("MQTT-4.7.3-1")
    @DisplayName("[MQTT-4.7.3-1] empty topic names and filters are rejected; a single separator is enough")
    void rejectsEmptyStrings() {
        assertThat(name("")).isEqualTo("topic name is empty");
        assertThat(filter("")).isEqualTo("topic filter is empty");
        assertThat(name(null)).isEqualTo("topic name is missing");
        assertThat(filter(null)).isEqualTo("topic filter is missing");
        assertThat(name("/")).isNull();
        assertThat(filter("/")).isNull();
    }

    @Test
    @Tag("MQTT-4.7.3-2")
    @Tag("MQTT-1.5.3-2")
    @DisplayName("[MQTT-4.7.3-2] U+0000 in a topic name or filter is rejected with its index")
    void rejectsNullCharacter() {
        assertThat(name("\u0000")).isEqualTo("topic name contains U+0000 at index 0");
        assertThat(name("sport/\u0000tennis")).isEqualTo("topic name contains U+0000 at index 6");
        assertThat(filter("sport/+/\u0000")).isEqualTo("topic filter contains U+0000 at index 8");
    }

    @Test
    @Tag("MQTT-1.5.3-1")
    @DisplayName("[MQTT-1.5.3-1] a string with an unpaired surrogate, which has no UTF-8 form, is rejected")
    void rejectsUnpairedSurrogates() {
        assertThat(name("a\ud83c")).isEqualTo("topic name contains an unpaired surrogate at index 1");
        assertThat(name("a\ud83cb")).isEqualTo("topic name contains an unpaired surrogate at index 1");
        assertThat(name("\udfbe/a")).isEqualTo("topic name contains an unpaired surrogate at index 0");
        assertThat(filter("+/\udfbe\ud83c")).isEqualTo("topic filter contains an unpaired surrogate at index 2");
        assertThat(name("\ud83c\udfbe")).isNull();
    }

    @Test
    @Tag("MQTT-1.5.3-3")
    @DisplayName("[MQTT-1.5.3-3] U+FEFF is an ordinary character: accepted and never matched as if stripped")
    void keepsByteOrderMark() {
        assertThat(name("\ufeff")).isNull();
        assertThat(name("\ufeffsport/\ufeff")).isNull();
        assertThat(Topics.matches("sport", "\ufeffsport")).isFalse();
        assertThat(Topics.matches("\ufeffsport", "\ufeffsport")).isTrue();
    }

    @Test
    @Tag("MQTT-4.7.3-3")
    @DisplayName("[MQTT-4.7.3-3] a topic of more than 65535 UTF-8 bytes is rejected whatever the configured limit")
    void rejectsMoreThan65535Bytes() {
        String longest = "a".repeat(65_535);
        assertThat(Topics.validateTopicName(longest, Integer.MAX_VALUE, ANY_DEPTH)).isNull();
        assertThat(Topics.validateTopicName(longest + "b", Integer.MAX_VALUE, ANY_DEPTH))
                .isEqualTo("topic name is longer than 65535 bytes in UTF-8");
        assertThat(Topics.validateTopicFilter(longest.substring(2) + "/#", Integer.MAX_VALUE, ANY_DEPTH)).isNull();
        assertThat(Topics.validateTopicFilter(longest + "/#", Integer.MAX_VALUE, ANY_DEPTH))
                .isEqualTo("topic filter is longer than 65535 bytes in UTF-8");
        // 21845 three-byte characters are 65535 bytes; one more ASCII byte is too many
        String cjk = "\u65e5".repeat(21_845);
        assertThat(Topics.validateTopicName(cjk, Integer.MAX_VALUE, ANY_DEPTH)).isNull();
        assertThat(Topics.validateTopicName(cjk + "a", Integer.MAX_VALUE, ANY_DEPTH)).isNotNull();
    }

    @ParameterizedTest(name = "\"{0}\" is {1} bytes")
    @CsvSource(delimiter = '|', value = {
            "sport         | 5",
            "caf\u00e9     | 5",
            "\u65e5\u672c  | 6",
            "\ud83c\udfbe  | 4",
            "a/\u00e9/\ud83c\udfbe/\u65e5 | 13"})
    @DisplayName("the configured byte limit counts UTF-8 bytes, not chars")
    void countsUtf8Bytes(String topic, int bytes) {
        assertThat(topic.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(bytes);
        assertThat(Topics.validateTopicName(topic, bytes, ANY_DEPTH)).isNull();
        assertThat(Topics.validateTopicName(topic, bytes - 1, ANY_DEPTH))
                .isEqualTo("topic name is longer than " + (bytes - 1) + " bytes in UTF-8");
        assertThat(Topics.validateTopicFilter(topic, bytes - 1, ANY_DEPTH))
                .isEqualTo("topic filter is longer than " + (bytes - 1) + " bytes in UTF-8");
    }

    @Test
    @DisplayName("the configured level limit counts levels, empty ones included")
    void limitsLevels() {
        assertThat(Topics.validateTopicName("a/b/c", ANY_LENGTH, 3)).isNull();
        assertThat(Topics.validateTopicName("a/b/c", ANY_LENGTH, 2)).isEqualTo("topic name has more than 2 levels");
        assertThat(Topics.validateTopicName("a", ANY_LENGTH, 1)).isNull();
        assertThat(Topics.validateTopicName("/", ANY_LENGTH, 1)).isEqualTo("topic name has more than 1 levels");
        assertThat(Topics.validateTopicFilter("+/+/#", ANY_LENGTH, 3)).isNull();
        assertThat(Topics.validateTopicFilter("+/+/+/#", ANY_LENGTH, 3))
                .isEqualTo("topic filter has more than 3 levels");
    }

    @Test
    @DisplayName("limits below 1 are a programming error")
    void rejectsNonsensicalLimits() {
        assertThatIllegalArgumentException().isThrownBy(() -> Topics.validateTopicName("a", 0, 1));
        assertThatIllegalArgumentException().isThrownBy(() -> Topics.validateTopicFilter("a", 1, 0));
    }

    @ParameterizedTest(name = "\"{0}\" ~ \"{1}\" = {2}")
    @MethodSource("io.cairn.kernel.routing.MatchCases#wildcards")
    @Tag("MQTT-4.7.1-2")
    @Tag("MQTT-4.7.1-3")
    @DisplayName("[MQTT-4.7.1-2] [MQTT-4.7.1-3] '#' matches the parent and any depth, '+' exactly one level")
    void matchesWildcards(String filter, String topic, boolean expected) {
        assertThat(Topics.matches(filter, topic)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\" ~ \"{1}\" = {2}")
    @MethodSource("io.cairn.kernel.routing.MatchCases#dollarTopics")
    @Tag("MQTT-4.7.2-1")
    @DisplayName("[MQTT-4.7.2-1] filters starting with a wildcard do not match topics starting with '$'")
    void matchesDollarTopics(String filter, String topic, boolean expected) {
        assertThat(Topics.matches(filter, topic)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\" ~ \"{1}\" = {2}")
    @MethodSource("io.cairn.kernel.routing.MatchCases#literalComparison")
    @Tag("MQTT-4.7.3-4")
    @DisplayName("[MQTT-4.7.3-4] matching neither normalizes case, Unicode nor whitespace")
    void matchesLiterally(String filter, String topic, boolean expected) {
        assertThat(Topics.matches(filter, topic)).isEqualTo(expected);
    }
}
