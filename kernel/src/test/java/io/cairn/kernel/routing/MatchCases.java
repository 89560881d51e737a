package io.cairn.kernel.routing;

import java.util.stream.Stream;

import org.junit.jupiter.params.provider.Arguments;

import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Filter/topic pairs with the expected match, shared by the tests of {@link Topics#matches}, {@link TopicTree}
 * and {@link RetainedIndex} so that all three implement the same rules. Most rows are the examples of MQTT 3.1.1
 * §4.7.
 */
final class MatchCases {

    private MatchCases() {
    }

    /** How {@code '#'} and {@code '+'} match (§4.7.1.2, §4.7.1.3), and plain levels around them. */
    static Stream<Arguments> wildcards() {
        return Stream.of(
                arguments("sport/tennis/player1/#", "sport/tennis/player1", true),
                arguments("sport/tennis/player1/#", "sport/tennis/player1/ranking", true),
                arguments("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true),
                arguments("sport/tennis/player1/#", "sport/tennis/player2", false),
                arguments("sport/tennis/player1/#", "sport/tennis", false),
                arguments("sport/#", "sport", true),
                arguments("sport/#", "sports", false),
                arguments("#", "sport/tennis/player1", true),
                arguments("#", "/", true),
                arguments("+/#", "sport", true),
                arguments("+/tennis/#", "sport/tennis/player1/ranking", true),
                arguments("+/tennis/#", "sport/chess/player1", false),
                arguments("sport/tennis/+", "sport/tennis/player1", true),
                arguments("sport/tennis/+", "sport/tennis/player2", true),
                arguments("sport/tennis/+", "sport/tennis/player1/ranking", false),
                arguments("sport/+", "sport", false),
                arguments("sport/+", "sport/", true),
                arguments("sport/+/player1", "sport/tennis/player1", true),
                arguments("sport/+/player1", "sport//player1", true),
                arguments("+", "sport", true),
                arguments("+", "/finance", false),
                arguments("+/+", "/finance", true),
                arguments("/+", "/finance", true),
                arguments("/+", "finance", false),
                arguments("+/+", "a", false),
                arguments("+/+", "a/b/c", false),
                arguments("sport/tennis", "sport/tennis", true),
                arguments("sport/tennis", "sport/tennis/", false),
                arguments("sport/tennis/", "sport/tennis", false),
                arguments("sport//tennis", "sport/tennis", false),
                arguments("/", "/", true),
                arguments("/", "//", false));
    }

    /** Filters starting with a wildcard do not match topics starting with '$' (§4.7.2). */
    static Stream<Arguments> dollarTopics() {
        return Stream.of(
                arguments("#", "$SYS/broker/uptime", false),
                arguments("#", "$SYS", false),
                arguments("+/monitor/Clients", "$SYS/monitor/Clients", false),
                arguments("+", "$SYS", false),
                arguments("+/#", "$SYS/broker", false),
                arguments("$SYS/#", "$SYS/monitor/Clients", true),
                arguments("$SYS/#", "$SYS", true),
                arguments("$SYS/monitor/+", "$SYS/monitor/Clients", true),
                arguments("$SYS/monitor/Clients", "$SYS/monitor/Clients", true),
                arguments("a/+", "a/$b", true),
                arguments("a/#", "a/$b/c", true),
                arguments("#", "a$", true));
    }

    /** Levels are compared character for character, with no normalization (§4.7.3, §1.5.3). */
    static Stream<Arguments> literalComparison() {
        return Stream.of(
                arguments("ACCOUNTS", "Accounts", false),
                arguments("Accounts payable", "Accounts payable", true),
                arguments("Accounts payable", "Accounts  payable", false),
                arguments("caf\u00e9", "cafe\u0301", false),
                arguments("cafe\u0301", "cafe\u0301", true),
                arguments("\ufeffsport", "sport", false),
                arguments("\ufeffsport", "\ufeffsport", true),
                arguments("sport/\ud83c\udfbe/+", "sport/\ud83c\udfbe/player1", true),
                arguments("sport/\ud83c\udfbe", "sport/\ud83c\udfbf", false),
                arguments("sport ", "sport", false));
    }
}
