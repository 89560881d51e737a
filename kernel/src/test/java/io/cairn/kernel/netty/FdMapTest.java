package io.cairn.kernel.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FdMapTest {

    @Test
    @DisplayName("agrees with a HashMap for descriptors opened and closed at random")
    void agreesWithAHashMap() {
        Random random = new Random(7);
        FdMap<String> map = new FdMap<>(16);
        Map<Integer, String> reference = new HashMap<>();
        for (int step = 0; step < 100_000; step++) {
            int fd = random.nextInt(random.nextBoolean() ? 100 : 30_000);
            switch (random.nextInt(4)) {
                case 0 -> assertThat(map.put(fd, "r" + step)).isEqualTo(reference.put(fd, "r" + step));
                case 1 -> assertThat(map.remove(fd)).isEqualTo(reference.remove(fd));
                case 2 -> assertThat(map.containsKey(fd)).isEqualTo(reference.containsKey(fd));
                default -> assertThat(map.get(fd)).isEqualTo(reference.get(fd));
            }
            assertThat(map.size()).isEqualTo(reference.size());
        }
        assertThat(map.values()).containsExactlyInAnyOrderElementsOf(reference.values());
        assertThat(map.isEmpty()).isEqualTo(reference.isEmpty());
    }

    @Test
    @DisplayName("consecutive descriptors, as the kernel hands them out, close in either order")
    void consecutiveDescriptors() {
        FdMap<String> map = new FdMap<>(FdMap.INITIAL_CAPACITY);
        for (int fd = 3; fd < 40_003; fd++) {
            assertThat(map.put(fd, "c" + fd)).isNull();
        }
        assertThat(map.size()).isEqualTo(40_000);
        for (int fd = 3; fd < 20_003; fd++) { // the first half in opening order
            assertThat(map.remove(fd)).isEqualTo("c" + fd);
        }
        for (int fd = 40_002; fd >= 20_003; fd--) { // the rest newest first
            assertThat(map.get(fd)).isEqualTo("c" + fd);
            assertThat(map.remove(fd)).isEqualTo("c" + fd);
        }
        assertThat(map.isEmpty()).isTrue();
        assertThat(map.get(3)).isNull();
    }

    @Test
    @DisplayName("the operations that would show mixed keys are refused")
    void mixedKeysStayInside() {
        FdMap<String> map = new FdMap<>(16);
        map.put(5, "five");
        assertThat(map.get((Object) 5)).isEqualTo("five");
        assertThat(map.containsKey((Object) 5)).isTrue();
        assertThatThrownBy(map::keySet).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(map::entrySet).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(map::entries).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.putAll(Map.of(1, "one"))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @DisplayName("the kernel's epoll loops use it: this Netty still has the field it replaces")
    void kernelLoopsUseIt() throws Exception {
        assumeTrue(Epoll.isAvailable(), "native epoll is not available here");
        int before = FdMap.installed();
        try (EventLoops loops = EventLoops.start(2)) {
            // run a task on every loop, so that each has created its handler
            for (EventLoop loop : new EventLoop[] {loops.parent().next(), loops.child().next(), loops.child().next()}) {
                assertThat(loop.submit(() -> { }).await(5, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(FdMap.installed() - before).isEqualTo(3);
        }
    }
}
