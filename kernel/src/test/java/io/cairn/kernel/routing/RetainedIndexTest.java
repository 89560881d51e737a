package io.cairn.kernel.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class RetainedIndexTest {

    private final RetainedIndex<String> index = new RetainedIndex<>();

    private static List<String> matching(RetainedIndex<String> index, String filter) {
        List<String> values = new ArrayList<>();
        index.match(filter, values::add);
        return values;
    }

    private List<String> matching(String filter) {
        return matching(index, filter);
    }

    /** An index retaining every topic of every case table, each with the topic itself as value. */
    private static RetainedIndex<String> indexOfAllCaseTopics() {
        RetainedIndex<String> all = new RetainedIndex<>();
        Stream.of(MatchCases.wildcards(), MatchCases.dollarTopics(), MatchCases.literalComparison())
                .flatMap(s -> s)
                .map(arguments -> (String) arguments.get()[1])
                .forEach(topic -> all.put(topic, topic));
        return all;
    }

    private static void assertIndexMatches(String filter, String topic, boolean expected) {
        List<String> values = matching(indexOfAllCaseTopics(), filter);
        assertThat(values).as("retained topics matching %s", filter).doesNotHaveDuplicates();
        assertThat(values.contains(topic)).as("%s among %s", topic, values).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\" ~ \"{1}\" = {2}")
    @MethodSource("io.cairn.kernel.routing.MatchCases#wildcards")
    @Tag("MQTT-4.7.1-2")
    @Tag("MQTT-4.7.1-3")
    @DisplayName("[MQTT-4.7.1-2] [MQTT-4.7.1-3] retained topics match '#' at any depth and the parent, '+' one level")
    void matchesWildcards(String filter, String topic, boolean expected) {
        assertIndexMatches(filter, topic, expected);
    }

    @ParameterizedTest(name = "\"{0}\" ~ \"{1}\" = {2}")
    @MethodSource("io.cairn.kernel.routing.MatchCases#dollarTopics")
    @Tag("MQTT-4.7.2-1")
    @DisplayName("[MQTT-4.7.2-1] retained '$' topics are not matched by filters starting with a wildcard")
    void matchesDollarTopics(String filter, String topic, boolean expected) {
        assertIndexMatches(filter, topic, expected);
    }

    @ParameterizedTest(name = "\"{0}\" ~ \"{1}\" = {2}")
    @MethodSource("io.cairn.kernel.routing.MatchCases#literalComparison")
    @Tag("MQTT-4.7.3-4")
    @DisplayName("[MQTT-4.7.3-4] retained topics are compared character for character, without normalization")
    void matchesLiterally(String filter, String topic, boolean expected) {
        assertIndexMatches(filter, topic, expected);
    }

    @Test
    @Tag("MQTT-4.7.3-4")
    @DisplayName("[MQTT-4.7.3-4] get looks a topic up character for character, without normalization")
    void getsLiterally() {
        index.put("caf\u00e9", "precomposed");
        index.put("Accounts", "accounts");
        index.put("\ufeffsport", "bom");

        assertThat(index.get("caf\u00e9")).isEqualTo("precomposed");
        assertThat(index.get("cafe\u0301")).isNull();
        assertThat(index.get("ACCOUNTS")).isNull();
        assertThat(index.get("sport")).isNull();
        assertThat(index.get("\ufeffsport")).isEqualTo("bom");
    }

    @Test
    @Tag("MQTT-3.3.1-5")
    @Tag("MQTT-3.3.1-7")
    @DisplayName("[MQTT-3.3.1-7] a new retained value replaces the previous one for the same topic")
    void replacesRetainedValue() {
        assertThat(index.put("sport/tennis", "first")).isNull();
        assertThat(index.put("sport/tennis/player1", "other")).isNull();
        assertThat(index.put("sport/tennis", "second")).isEqualTo("first");

        assertThat(index.get("sport/tennis")).isEqualTo("second");
        assertThat(index.size()).isEqualTo(2);
        assertThat(matching("sport/tennis")).containsExactly("second");
    }

    @Test
    @Tag("MQTT-3.3.1-6")
    @DisplayName("[MQTT-3.3.1-6] a filter finds the latest retained value of every matching topic, nothing else")
    void matchesLatestOfEachTopic() {
        index.put("sport/tennis/player1", "p1-old");
        index.put("sport/tennis/player2", "p2");
        index.put("sport/tennis/player1", "p1");
        index.put("sport/tennis/player1/ranking", "p1-ranking");
        index.put("sport/chess/player1", "chess");
        index.put("sport", "sport");
        index.put("news", "news");

        assertThat(matching("sport/tennis/+")).containsExactlyInAnyOrder("p1", "p2");
        assertThat(matching("sport/+/player1")).containsExactlyInAnyOrder("p1", "chess");
        assertThat(matching("sport/#")).containsExactlyInAnyOrder("sport", "p1", "p2", "p1-ranking", "chess");
        assertThat(matching("sport/tennis/#")).containsExactlyInAnyOrder("p1", "p2", "p1-ranking");
        assertThat(matching("sport/tennis")).isEmpty();
        assertThat(matching("+")).containsExactlyInAnyOrder("sport", "news");
        assertThat(matching("#")).containsExactlyInAnyOrder("sport", "p1", "p2", "p1-ranking", "chess", "news");
    }

    @Test
    @Tag("MQTT-4.7.2-1")
    @DisplayName("[MQTT-4.7.2-1] '$' topics are found by '$' filters and by forEach, not by a leading wildcard")
    void keepsDollarTopicsApart() {
        index.put("$SYS/broker/uptime", "uptime");
        index.put("$SYS", "sys");
        index.put("a/$b", "a-dollar-b");

        assertThat(matching("#")).containsExactly("a-dollar-b");
        assertThat(matching("+/broker/+")).isEmpty();
        assertThat(matching("$SYS/#")).containsExactlyInAnyOrder("uptime", "sys");
        assertThat(matching("a/+")).containsExactly("a-dollar-b");
        List<String> all = new ArrayList<>();
        index.forEach(all::add);
        assertThat(all).containsExactlyInAnyOrder("uptime", "sys", "a-dollar-b");
    }

    @Test
    @Tag("MQTT-3.3.1-10")
    @DisplayName("[MQTT-3.3.1-10] removing a retained value forgets it and prunes the levels left empty")
    void removesAndPrunes() {
        index.put("a/b/c", "abc");
        index.put("a", "a");
        index.put("a/x", "ax");
        assertThat(index.nodeCount()).isEqualTo(4);

        assertThat(index.remove("a/b")).as("no value at an inner level").isNull();
        assertThat(index.remove("a/b/c/d")).isNull();
        assertThat(index.nodeCount()).isEqualTo(4);
        assertThat(index.remove("a/b/c")).isEqualTo("abc");
        assertThat(index.nodeCount()).as("'c' and 'b' pruned").isEqualTo(2);
        assertThat(index.remove("a")).isEqualTo("a");
        assertThat(index.nodeCount()).as("'a' still has a child").isEqualTo(2);
        assertThat(matching("a/#")).containsExactly("ax");
        assertThat(index.get("a")).isNull();
        assertThat(index.remove("a/x")).isEqualTo("ax");

        assertThat(index.nodeCount()).isZero();
        assertThat(index.isEmpty()).isTrue();
        assertThat(index.remove("a/x")).isNull();
    }

    @Test
    @DisplayName("clear drops every retained value")
    void clears() {
        index.put("a/b", "ab");
        index.put("$SYS/x", "x");
        index.clear();

        assertThat(index.size()).isZero();
        assertThat(index.get("a/b")).isNull();
        assertThat(matching("#")).isEmpty();
        assertThat(index.nodeCount()).isZero();
        index.put("a/b", "again");
        assertThat(matching("a/+")).containsExactly("again");
    }

    @Test
    @Tag("MQTT-4.7.1-1")
    @DisplayName("[MQTT-4.7.1-1] wildcard topics cannot be retained and invalid filters are refused")
    void refusesInvalidInput() {
        assertThatIllegalArgumentException().isThrownBy(() -> index.put("sport/+", "v"))
                .withMessage("topic name contains wildcard '+' at index 6");
        assertThatIllegalArgumentException().isThrownBy(() -> index.put("", "v"));
        assertThatIllegalArgumentException().isThrownBy(() -> index.match("sport+", v -> { }));
        assertThatNullPointerException().isThrownBy(() -> index.put("a", null));
        assertThatNullPointerException().isThrownBy(() -> index.match("a", null));
        assertThat(index.get("sport/+")).as("a filter string is looked up literally").isNull();

        assertThat(index.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("a filter steps only into the branches it can match, however many topics are retained elsewhere")
    void visitsOnlyRelevantBranches() {
        for (int i = 0; i < 100_000; i++) {
            index.put("big/" + i, "big" + i);
        }
        index.put("a/b/x", "abx");
        index.put("a/b/y", "aby");
        index.put("a/b/y/z", "abyz");
        index.put("a/c", "ac");
        List<String> values = new ArrayList<>();

        assertThat(index.matchCounting("a/b/+", values::add)).as("a, b, x, y").isEqualTo(4);
        assertThat(values).containsExactlyInAnyOrder("abx", "aby");
        values.clear();
        assertThat(index.matchCounting("a/#", values::add)).as("a, b, x, y, z, c").isEqualTo(6);
        assertThat(values).containsExactlyInAnyOrder("abx", "aby", "abyz", "ac");
        values.clear();
        assertThat(index.matchCounting("+/b/x", values::add)).as("a, big, b, x").isEqualTo(4);
        assertThat(values).containsExactly("abx");
        assertThat(index.matchCounting("big/77777", values::add)).isEqualTo(2);
        assertThat(values).containsExactly("abx", "big77777");
    }

    @Test
    @Tag("MQTT-4.7.2-1")
    @DisplayName("on random topics and filters the index finds exactly the topics that match")
    void agreesWithReferenceMatcher() {
        Random random = new Random(1_122);
        Map<String, String> retained = new HashMap<>();
        for (int i = 0; i < 1_500; i++) {
            String topic = RandomTopics.topic(random);
            index.put(topic, topic);
            retained.put(topic, topic);
        }
        assertAgreesWithReference(random, retained);
        for (String topic : new ArrayList<>(retained.keySet())) {
            if (random.nextBoolean()) {
                assertThat(index.remove(topic)).isEqualTo(topic);
                retained.remove(topic);
            }
        }
        assertAgreesWithReference(random, retained);
        assertThat(index.size()).isEqualTo(retained.size());
    }

    private void assertAgreesWithReference(Random random, Map<String, String> retained) {
        for (int f = 0; f < 2_000; f++) {
            String filter = RandomTopics.filter(random);
            List<String> expected = retained.keySet().stream()
                    .filter(topic -> Topics.matches(filter, topic))
                    .toList();
            assertThat(matching(filter)).as("filter %s", filter).containsExactlyInAnyOrderElementsOf(expected);
        }
        for (String topic : retained.keySet()) {
            assertThat(index.get(topic)).isEqualTo(topic);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    @DisplayName("reading while other threads retain and remove siblings always finds the stable topics")
    void concurrentMutationsNeverHideStableTopics() throws Exception {
        int stable = 16;
        for (int i = 0; i < stable; i++) {
            index.put("s/" + i, "stable-" + i);
        }
        int nodesBefore = index.nodeCount();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> tasks = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                tasks.add(pool.submit(() -> {
                    start.await();
                    return churn(writer, deadline);
                }));
            }
            for (int r = 0; r < 2; r++) {
                int reader = r;
                tasks.add(pool.submit(() -> {
                    start.await();
                    Random random = new Random(100 + reader);
                    List<String> seen = new ArrayList<>();
                    int n = 0;
                    for (; n < 200_000 && System.nanoTime() < deadline; n++) {
                        int i = random.nextInt(stable);
                        assertThat(index.get("s/" + i)).isEqualTo("stable-" + i);
                        seen.clear();
                        index.match(random.nextBoolean() ? "s/+" : "s/#", seen::add);
                        assertThat(seen).contains("stable-" + i).doesNotHaveDuplicates();
                    }
                    return n;
                }));
            }
            start.countDown();
            for (Future<Integer> task : tasks) {
                assertThat(task.get(30, TimeUnit.SECONDS)).as("operations done").isPositive();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(index.size()).isEqualTo(stable);
        assertThat(index.nodeCount()).as("every level added by the writers was pruned").isEqualTo(nodesBefore);
    }

    /** Retains and removes the writer's own topics next to the stable ones, then removes what is left. */
    private int churn(int writer, long deadline) {
        Random random = new Random(writer);
        List<String> mine = new ArrayList<>();
        int n = 0;
        for (; n < 1_000_000 && System.nanoTime() < deadline; n++) {
            if (mine.isEmpty() || (mine.size() < 200 && random.nextBoolean())) {
                String topic = "s/w" + writer + "-" + n + (random.nextBoolean() ? "" : "/deeper/" + n);
                assertThat(index.put(topic, topic)).isNull();
                mine.add(topic);
            } else {
                int at = random.nextInt(mine.size());
                String topic = mine.get(at);
                mine.set(at, mine.get(mine.size() - 1));
                mine.remove(mine.size() - 1);
                assertThat(index.remove(topic)).isEqualTo(topic);
            }
        }
        for (String topic : mine) {
            assertThat(index.remove(topic)).isEqualTo(topic);
        }
        return n;
    }
}
