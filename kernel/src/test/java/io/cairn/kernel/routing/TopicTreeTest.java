package io.cairn.kernel.routing;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class TopicTreeTest {

    private final TopicTree<String, Integer> tree = new TopicTree<>();

    /** Every (key, value) pair visited for {@code topic}, in visiting order, duplicates kept. */
    private static <K, V> List<Map.Entry<K, V>> visits(TopicTree<K, V> tree, String topic) {
        List<Map.Entry<K, V>> visits = new ArrayList<>();
        tree.match(topic, (key, value) -> visits.add(Map.entry(key, value)));
        return visits;
    }

    private List<String> keys(String topic) {
        return visits(tree, topic).stream().map(Map.Entry::getKey).collect(Collectors.toList());
    }

    /** A tree holding every filter of every case table, each subscribed by the key equal to the filter. */
    private static TopicTree<String, Integer> treeOfAllCaseFilters() {
        TopicTree<String, Integer> all = new TopicTree<>();
        Stream.of(MatchCases.wildcards(), MatchCases.dollarTopics(), MatchCases.literalComparison())
                .flatMap(s -> s)
                .map(arguments -> (String) arguments.get()[0])
                .forEach(filter -> all.put(filter, filter, 0));
        return all;
    }

    private static void assertTreeMatches(String filter, String topic, boolean expected) {
        TopicTree<String, Integer> all = treeOfAllCaseFilters();
        List<String> keys = visits(all, topic).stream().map(Map.Entry::getKey).collect(Collectors.toList());
        assertThat(Collections.frequency(keys, filter))
                .as("visits of filter %s for topic %s among %s", filter, topic, keys)
                .isEqualTo(expected ? 1 : 0);
    }

    @ParameterizedTest(name = "\"{0}\" ~ \"{1}\" = {2}")
    @MethodSource("io.cairn.kernel.routing.MatchCases#wildcards")
    @Tag("MQTT-4.7.1-2")
    @Tag("MQTT-4.7.1-3")
    @DisplayName("[MQTT-4.7.1-2] [MQTT-4.7.1-3] the tree matches '#' at any depth and the parent, '+' one level")
    void matchesWildcards(String filter, String topic, boolean expected) {
        assertTreeMatches(filter, topic, expected);
    }

    @ParameterizedTest(name = "\"{0}\" ~ \"{1}\" = {2}")
    @MethodSource("io.cairn.kernel.routing.MatchCases#dollarTopics")
    @Tag("MQTT-4.7.2-1")
    @DisplayName("[MQTT-4.7.2-1] the tree does not match '$' topics with filters starting with a wildcard")
    void matchesDollarTopics(String filter, String topic, boolean expected) {
        assertTreeMatches(filter, topic, expected);
    }

    @ParameterizedTest(name = "\"{0}\" ~ \"{1}\" = {2}")
    @MethodSource("io.cairn.kernel.routing.MatchCases#literalComparison")
    @Tag("MQTT-4.7.3-4")
    @DisplayName("[MQTT-4.7.3-4] the tree compares levels character for character, without normalization")
    void matchesLiterally(String filter, String topic, boolean expected) {
        assertTreeMatches(filter, topic, expected);
    }

    @Test
    @Tag("MQTT-3.8.4-3")
    @DisplayName("[MQTT-3.8.4-3] subscribing again to the same filter replaces the subscription")
    void replacesSubscription() {
        assertThat(tree.put("sport/+", "client", 0)).isNull();
        assertThat(tree.put("sport/+", "client", 2)).isEqualTo(0);

        assertThat(tree.size()).isEqualTo(1);
        assertThat(visits(tree, "sport/tennis")).containsExactly(Map.entry("client", 2));
    }

    @Test
    @DisplayName("a key subscribed by overlapping filters is visited once per filter, other keys once")
    void visitsOncePerMatchingFilter() {
        tree.put("sport/+", "both", 1);
        tree.put("sport/#", "both", 2);
        tree.put("sport/tennis", "exact", 0);
        tree.put("#", "everything", 0);
        tree.put("news/#", "other", 0);

        assertThat(visits(tree, "sport/tennis")).containsExactlyInAnyOrder(
                Map.entry("both", 1), Map.entry("both", 2), Map.entry("exact", 0), Map.entry("everything", 0));
        assertThat(tree.size()).isEqualTo(5);
    }

    @Test
    @Tag("MQTT-3.10.4-1")
    @DisplayName("[MQTT-3.10.4-1] unsubscribing compares filters literally and removes only the exact one")
    void removesExactFilterOnly() {
        tree.put("sport/+", "client", 1);
        tree.put("sport/tennis", "client", 2);
        tree.put("sport/+", "other", 3);

        assertThat(tree.remove("sport/tennis/#", "client")).isNull();
        assertThat(tree.remove("sport/#", "client")).as("'#' is not a pattern when unsubscribing").isNull();
        assertThat(tree.remove("sport/+", "nobody")).isNull();
        assertThat(tree.remove("sport/+", "client")).isEqualTo(1);

        assertThat(visits(tree, "sport/tennis")).containsExactlyInAnyOrder(
                Map.entry("client", 2), Map.entry("other", 3));
        assertThat(tree.size()).isEqualTo(2);
        assertThat(tree.remove("sport/+", "client")).as("removing twice").isNull();
    }

    @Test
    @DisplayName("removing subscriptions prunes the levels left empty and keeps those still in use")
    void prunesEmptyLevels() {
        tree.put("a/b/c", "k", 1);
        tree.put("a/+/#", "k", 2);
        tree.put("a", "k", 3);
        tree.put("x/y", "k", 4);
        tree.put("x", "k", 5);
        assertThat(tree.nodeCount()).isEqualTo(7);

        assertThat(tree.remove("a/b/c", "other")).isNull();
        assertThat(tree.nodeCount()).as("a failed removal prunes nothing").isEqualTo(7);
        assertThat(tree.remove("a/b/c", "k")).isEqualTo(1);
        assertThat(tree.nodeCount()).as("'c' and 'b' pruned").isEqualTo(5);
        assertThat(tree.remove("a/+/#", "k")).isEqualTo(2);
        assertThat(tree.nodeCount()).as("'#' and '+' pruned").isEqualTo(3);
        assertThat(tree.remove("x", "k")).isEqualTo(5);
        assertThat(tree.nodeCount()).as("'x' still has a child").isEqualTo(3);
        assertThat(keys("x/y")).containsExactly("k");
        assertThat(tree.remove("x/y", "k")).isEqualTo(4);
        assertThat(tree.remove("a", "k")).isEqualTo(3);

        assertThat(tree.nodeCount()).isZero();
        assertThat(tree.isEmpty()).isTrue();
        assertThat(keys("a")).isEmpty();
    }

    @Test
    @DisplayName("invalid filters and null arguments are refused and change nothing")
    void refusesInvalidInput() {
        assertThatIllegalArgumentException().isThrownBy(() -> tree.put("sport/tennis#", "k", 0))
                .withMessage("topic filter has '#' at index 12 that is not the whole last level");
        assertThatIllegalArgumentException().isThrownBy(() -> tree.put("", "k", 0));
        assertThatNullPointerException().isThrownBy(() -> tree.put("a", null, 0));
        assertThatNullPointerException().isThrownBy(() -> tree.put("a", "k", null));
        assertThatNullPointerException().isThrownBy(() -> tree.match("a", null));

        assertThat(tree.isEmpty()).isTrue();
        assertThat(tree.nodeCount()).isZero();
    }

    @Test
    @DisplayName("a filter with thousands of subscribers keeps each one exactly once through adds, updates and removals")
    void keepsManySubscribersOnOneFilter() {
        Random random = new Random(42);
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < 2_000; i++) {
            tree.put("fan/out", "s" + i, i);
            expected.put("s" + i, i);
        }
        for (int i = 0; i < 2_000; i += 7) {
            assertThat(tree.put("fan/out", "s" + i, -i)).isEqualTo(i);
            expected.put("s" + i, -i);
        }
        assertFanOut(expected);

        List<String> order = new ArrayList<>(expected.keySet());
        Collections.shuffle(order, random);
        for (int n = 0; n < order.size(); n++) {
            String key = order.get(n);
            assertThat(tree.remove("fan/out", key)).isEqualTo(expected.remove(key));
            if (n % 97 == 0 || expected.size() < 20) {
                assertFanOut(expected);
            }
        }
        assertThat(tree.isEmpty()).isTrue();
        assertThat(tree.nodeCount()).isZero();
    }

    private void assertFanOut(Map<String, Integer> expected) {
        List<Map.Entry<String, Integer>> visits = visits(tree, "fan/out");
        assertThat(visits).hasSize(expected.size());
        assertThat(visits).containsExactlyInAnyOrderElementsOf(expected.entrySet());
        assertThat(tree.size()).isEqualTo(expected.size());
    }

    @Test
    @DisplayName("a level with thousands of children finds each child while children come and go")
    void keepsManyChildrenOnOneLevel() {
        Random random = new Random(7);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            tree.put("device/" + i + "/cmd", "d" + i, i);
            ids.add(i);
        }
        assertThat(tree.nodeCount()).isEqualTo(1 + 5_000 * 2);
        Collections.shuffle(ids, random);
        Set<Integer> removed = new HashSet<>();
        for (int n = 0; n < ids.size(); n++) {
            int id = ids.get(n);
            assertThat(tree.remove("device/" + id + "/cmd", "d" + id)).isEqualTo(id);
            removed.add(id);
            if (n % 250 == 0) {
                for (int probe = 0; probe < 5_000; probe += 13) {
                    assertThat(keys("device/" + probe + "/cmd"))
                            .isEqualTo(removed.contains(probe) ? List.of() : List.of("d" + probe));
                }
                // a removed level can be subscribed again and is found again
                int again = ids.get(random.nextInt(n + 1));
                tree.put("device/" + again + "/cmd", "d" + again, again);
                removed.remove(again);
                assertThat(keys("device/" + again + "/cmd")).containsExactly("d" + again);
            }
        }
        for (int id : ids) {
            if (!removed.contains(id)) {
                assertThat(tree.remove("device/" + id + "/cmd", "d" + id)).isEqualTo(id);
            }
        }
        assertThat(tree.nodeCount()).isZero();
    }

    @Test
    @Tag("MQTT-3.3.2-3")
    @Tag("MQTT-4.7.2-1")
    @DisplayName("[MQTT-3.3.2-3] on random filters and topics the tree visits exactly the filters that match")
    void agreesWithReferenceMatcher() {
        Random random = new Random(20_251_122);
        List<String> filters = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String filter = RandomTopics.filter(random);
            filters.add(filter);
            tree.put(filter, "k" + i, i);
        }
        assertAgreesWithReference(random, filters);

        // remove a random half, then compare again
        for (int i = 0; i < filters.size(); i++) {
            if (random.nextBoolean()) {
                assertThat(tree.remove(filters.get(i), "k" + i)).isEqualTo(i);
                filters.set(i, null);
            }
        }
        assertAgreesWithReference(random, filters);
    }

    private void assertAgreesWithReference(Random random, List<String> filters) {
        for (int t = 0; t < 2_000; t++) {
            String topic = RandomTopics.topic(random);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < filters.size(); i++) {
                if (filters.get(i) != null && Topics.matches(filters.get(i), topic)) {
                    expected.add("k" + i);
                }
            }
            assertThat(keys(topic)).as("topic %s", topic).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    @DisplayName("matching while other threads subscribe and unsubscribe always finds the stable subscriptions")
    void concurrentMutationsNeverHideStableSubscriptions() throws Exception {
        int stable = 16;
        for (int i = 0; i < stable; i++) {
            tree.put("s/" + i + "/+", "stable-" + i, i);
        }
        tree.put("s/#", "stable-all", -1);
        int nodesBefore = tree.nodeCount();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> tasks = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                tasks.add(pool.submit(() -> {
                    start.await();
                    return churn(writer, stable, deadline);
                }));
            }
            for (int r = 0; r < 2; r++) {
                int reader = r;
                tasks.add(pool.submit(() -> {
                    start.await();
                    Random random = new Random(100 + reader);
                    Map<String, Integer> seen = new HashMap<>();
                    int n = 0;
                    for (; n < 2_000_000 && System.nanoTime() < deadline; n++) {
                        int i = random.nextInt(stable);
                        String topic = "s/" + i + "/" + random.nextInt(8);
                        seen.clear();
                        tree.match(topic, seen::put);
                        assertThat(seen).as("topic %s", topic)
                                .containsEntry("stable-" + i, i)
                                .containsEntry("stable-all", -1);
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
        assertThat(tree.size()).isEqualTo(stable + 1);
        assertThat(tree.nodeCount()).as("every level added by the writers was pruned").isEqualTo(nodesBefore);
    }

    /** Subscribes and unsubscribes the writer's own keys next to the stable ones, then removes what is left. */
    private int churn(int writer, int stable, long deadline) {
        Random random = new Random(writer);
        List<String[]> mine = new ArrayList<>();
        int n = 0;
        for (; n < 1_000_000 && System.nanoTime() < deadline; n++) {
            if (mine.isEmpty() || (mine.size() < 200 && random.nextBoolean())) {
                String filter = switch (random.nextInt(6)) {
                    case 0 -> "s/" + random.nextInt(stable) + "/" + random.nextInt(8);
                    case 1 -> "s/+/" + random.nextInt(8);
                    case 2 -> "s/" + random.nextInt(stable) + "/#";
                    case 3 -> "+/+/+";
                    case 4 -> "s/" + random.nextInt(stable);
                    default -> "s/x" + random.nextInt(500);
                };
                String key = "w" + writer + "-" + n;
                assertThat(tree.put(filter, key, n)).isNull();
                mine.add(new String[] {filter, key});
            } else {
                int index = random.nextInt(mine.size());
                String[] subscription = mine.get(index);
                mine.set(index, mine.get(mine.size() - 1));
                mine.remove(mine.size() - 1);
                assertThat(tree.remove(subscription[0], subscription[1])).isNotNull();
            }
        }
        for (String[] subscription : mine) {
            assertThat(tree.remove(subscription[0], subscription[1])).isNotNull();
        }
        return n;
    }

    @Test
    @DisplayName("matching a warm tree allocates nothing per call")
    void matchingAllocatesNothing() {
        TopicTree<Integer, Integer> warm = new TopicTree<>();
        for (int i = 0; i < 500; i++) {
            warm.put("dev/" + i + "/temp", i, i);
            warm.put("dev/" + i + "/+", 1_000 + i, i);
        }
        warm.put("dev/+/temp", -1, 0);
        warm.put("dev/#", -2, 0);
        warm.put("#", -3, 0);
        warm.put("+/+/+", -4, 0);
        warm.put("$SYS/#", -5, 0);
        for (int k = 0; k < 300; k++) {
            warm.put("broadcast", 10_000 + k, k);
        }
        String[] topics = new String[1_024];
        for (int j = 0; j < topics.length; j++) {
            topics[j] = switch (j % 4) {
                case 0 -> "dev/" + (j % 600) + "/temp";
                case 1 -> "dev/" + (j % 600) + "/humidity";
                case 2 -> "$SYS/broker/load";
                default -> "broadcast";
            };
        }
        CountingVisitor visitor = new CountingVisitor();
        long[] perTopic = new long[topics.length];
        for (int j = 0; j < topics.length; j++) {
            visitor.count = 0;
            warm.match(topics[j], visitor);
            perTopic[j] = visitor.count;
        }
        assertThat(perTopic[3]).as("broadcast: 300 subscribers and '#'").isEqualTo(301);
        assertThat(perTopic[0]).as("dev/0/temp: exact, dev/0/+, dev/+/temp, dev/#, #, +/+/+").isEqualTo(6);
        assertThat(perTopic[2]).as("$SYS/broker/load: only $SYS/#").isEqualTo(1);

        for (int i = 0; i < 300_000; i++) {
            warm.match(topics[i & 1_023], visitor);
        }
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        long expectedVisits = 0;
        for (int i = 0; i < 100_000; i++) {
            expectedVisits += perTopic[i & 1_023];
        }

        visitor.count = 0;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            warm.match(topics[i & 1_023], visitor);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(visitor.count).isEqualTo(expectedVisits);
        assertThat(allocated).as("bytes allocated by 100,000 matches").isLessThan(64 * 1_024);
    }

    /** Counts visits without allocating. */
    private static final class CountingVisitor implements TopicTree.MatchVisitor<Integer, Integer> {
        long count;

        @Override
        public void visit(Integer key, Integer value) {
            count++;
        }
    }
}
