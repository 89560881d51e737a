package io.cairn.auth.jdbc.internal;

import static io.cairn.auth.jdbc.internal.AclIndex.DENY;
import static io.cairn.auth.jdbc.internal.AclIndex.READ;
import static io.cairn.auth.jdbc.internal.AclIndex.WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The trie's matching: topics against rows, and subscription filters against deny and read rows. */
class AclIndexTest {

    private static AclIndex index(String... rows) {
        List<AclRow> list = new ArrayList<>();
        for (String row : rows) {
            String[] parts = row.split(" ", 2);
            list.add(new AclRow(parts[1], parts[0]));
        }
        return AclIndex.of(list);
    }

    @ParameterizedTest(name = "{0} against {1}: {2}")
    @CsvSource({
            "read a/b, a/b, 1",
            "read a/b, a/c, 0",
            "read a/+, a/c, 1",
            "read a/+, a/c/d, 0",
            "read a/#, a, 1",
            "read a/#, a/b/c, 1",
            "read #, x/y, 1",
            "read #, $SYS/broker, 0",
            "read +/broker, $SYS/broker, 0",
            "read $SYS/#, $SYS/broker, 1",
            "write a//b, a//b, 2",
            "write a/+/c, a//c, 2",
            "readwrite a/b, a/b, 3",
            "deny a/b, a/b, 4",
            "write users/%u/#, users/alice/x, 2",
            "write users/%u/#, users/bob/x, 0",
            "write clients/%c, clients/c1, 2",
            "write clients/%c, clients/c2, 0",
            "bogus a/b, a/b, 4",
    })
    void matchesTopics(String row, String topic, int bits) {
        assertThat(index(row).matchTopic(topic, "alice", "c1")).isEqualTo(bits);
    }

    @Test
    @DisplayName("every matching row counts: a deny next to a readwrite shows both")
    void combinesRows() {
        AclIndex index = index("readwrite a/#", "deny a/secret", "write a/+");
        assertThat(index.matchTopic("a/secret", "u", "c")).isEqualTo(READ | WRITE | DENY);
        assertThat(index.matchTopic("a/open", "u", "c")).isEqualTo(READ | WRITE);
        assertThat(index.matchTopic("b", "u", "c")).isZero();
    }

    @ParameterizedTest(name = "deny {0} covers {1}: {2}")
    @CsvSource({
            "a/#, a/#, true",
            "a/#, a, true",
            "a/#, a/b/+, true",
            "a/+, a/b, true",
            "a/+, a/+, true",
            "a/+, a/#, false",
            "a/b, a/+, false",
            "#, x/#, true",
            "#, $SYS/#, false",
            "users/%u/#, users/alice/#, true",
            "users/%u/#, users/+/#, false",
    })
    void denyCoversFilters(String deny, String filter, boolean covers) {
        assertThat(index("deny " + deny).denyCovers(filter, "alice", "c1")).isEqualTo(covers);
    }

    @ParameterizedTest(name = "read {0} meets {1}: {2}")
    @CsvSource({
            "a/b, a/b, true",
            "a/b, a/+, true",
            "a/b, a/#, true",
            "a/b, #, true",
            "a/b/c, +/+/+, true",
            "a/b/c, +/+, false",
            "a/+, a/x, true",
            "a/#, a/x/y, true",
            "a/b, a/c, false",
            "a/b, b/#, false",
            "users/%u, users/+, true",
            "users/%u, users/alice, true",
            "users/%u, users/bob, false",
    })
    void readIntersectsFilters(String read, String filter, boolean meets) {
        assertThat(index("read " + read).readIntersects(filter, "alice", "c1")).isEqualTo(meets);
    }

    @Test
    @DisplayName("a write or deny row alone does not make a subscription readable")
    void onlyReadRowsIntersect() {
        assertThat(index("write a/#", "deny b/#").readIntersects("#", "u", "c")).isFalse();
    }

    @Test
    @DisplayName("no rows: an empty index")
    void emptyIndex() {
        assertThat(AclIndex.of(List.of()).isEmpty()).isTrue();
        assertThat(index("read a").isEmpty()).isFalse();
    }

    @Test
    @DisplayName("an invalid filter is left out, the rest still match")
    void skipsInvalidFilters() {
        AclIndex index = index("read a/#/b", "read x#", "read ok/+");
        assertThat(index.matchTopic("a/z/b", "u", "c")).isZero();
        assertThat(index.matchTopic("ok/1", "u", "c")).isEqualTo(READ);
    }

    @Test
    @DisplayName("a check over 1,000 rows allocates nothing")
    void checksDoNotAllocate() {
        List<AclRow> rows = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rows.add(new AclRow("devices/d" + i + "/#", i % 10 == 0 ? "deny" : "readwrite"));
        }
        rows.add(new AclRow("users/%u/+", "read"));
        AclIndex index = AclIndex.of(rows);
        String[] topics = {"devices/d5/temp", "devices/d10/x", "users/alice/inbox", "other/topic"};
        int sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += index.matchTopic(topics[i & 3], "alice", "c1");
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sink += index.matchTopic(topics[i & 3], "alice", "c1");
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isPositive();
        assertThat(allocated).as("bytes allocated by 100,000 checks").isLessThan(10_000);
        assertThat(index.matchTopic("devices/d10/x", "alice", "c1")).isEqualTo(DENY);
        assertThat(index.matchTopic("devices/d999/x", "alice", "c1")).isEqualTo(READ | WRITE);
    }
}
