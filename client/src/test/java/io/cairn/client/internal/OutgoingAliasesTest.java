package io.cairn.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The outgoing topic alias policy: second use, least recently used reassignment, bounded memory. */
class OutgoingAliasesTest {

    private static int use(OutgoingAliases a, String topic) {
        return a.aliasFor(topic, Topics.utf8Length(topic), true);
    }

    @Test
    @DisplayName("first use: no alias; second: a new alias (negative); then the alias alone (positive)")
    void secondUse() {
        OutgoingAliases a = new OutgoingAliases(3);
        assertThat(use(a, "topic/a")).isZero();
        assertThat(use(a, "topic/a")).isEqualTo(-1);
        assertThat(use(a, "topic/a")).isEqualTo(1);
        assertThat(use(a, "topic/b")).isZero();
        assertThat(use(a, "topic/b")).isEqualTo(-2);
    }

    @Test
    @DisplayName("when all are taken the least recently used alias is reassigned, never above the maximum")
    void leastRecentlyUsed() {
        OutgoingAliases a = new OutgoingAliases(2);
        for (String t : new String[] {"aaaa", "aaaa", "bbbb", "bbbb"}) {
            use(a, t);
        }
        assertThat(use(a, "aaaa")).isEqualTo(1);   // aaaa is now more recent than bbbb
        use(a, "cccc");
        assertThat(use(a, "cccc")).isEqualTo(-2);  // takes bbbb's alias
        assertThat(use(a, "bbbb")).isZero();       // bbbb starts over
        assertThat(use(a, "aaaa")).isEqualTo(1);
    }

    @Test
    @DisplayName("short topics are never aliased, and no new alias when it would not fit the packet size")
    void notWorthIt() {
        OutgoingAliases a = new OutgoingAliases(5);
        use(a, "abc");
        assertThat(use(a, "abc")).isZero();
        a.aliasFor("long/topic", 10, false);
        assertThat(a.aliasFor("long/topic", 10, false)).isZero();
        assertThat(a.aliasFor("long/topic", 10, true)).isEqualTo(-1);
    }

    @Test
    @DisplayName("the memory of once-used topics is bounded: a topic seen long ago counts as new again")
    void boundedMemory() {
        OutgoingAliases a = new OutgoingAliases(1);   // remembers 64 once-used topics
        use(a, "first/topic");
        for (int i = 0; i < 64; i++) {
            use(a, "other/" + i);
        }
        assertThat(use(a, "first/topic")).as("forgotten, so a first use again").isZero();
        assertThat(use(a, "first/topic")).isEqualTo(-1);
    }
}
