package io.cairn.kernel.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacketIdMapTest {

    @Test
    void agreesWithAHashMapUnderRandomPutsAndRemoves() {
        Random random = new Random(42);
        PacketIdMap<String> map = new PacketIdMap<>(2);
        Map<Integer, String> reference = new HashMap<>();
        for (int step = 0; step < 50_000; step++) {
            int key = 1 + random.nextInt(random.nextBoolean() ? 64 : 65_535);
            switch (random.nextInt(3)) {
                case 0 -> assertThat(map.put(key, "v" + step)).isEqualTo(reference.put(key, "v" + step));
                case 1 -> assertThat(map.remove(key)).isEqualTo(reference.remove(key));
                default -> assertThat(map.get(key)).isEqualTo(reference.get(key));
            }
            assertThat(map.size()).isEqualTo(reference.size());
        }
        assertThat(map.values()).containsExactlyInAnyOrderElementsOf(reference.values());
        List<Integer> keys = new ArrayList<>();
        map.forEachKey(keys::add);
        assertThat(keys).containsExactlyInAnyOrderElementsOf(reference.keySet());
    }

    @Test
    void aSlidingWindowOfSequentialIdsStaysConsistent() {
        // how a session uses it: ids handed out in sequence, acknowledged roughly in order, wrapping at 65535
        PacketIdMap<Integer> map = new PacketIdMap<>(4);
        int next = 1;
        int oldest = 1;
        for (int step = 0; step < 100_000; step++) {
            if (map.size() < 5_000) {
                map.put(next, next);
                next = next == 65_535 ? 1 : next + 1;
            } else {
                assertThat(map.remove(oldest)).isEqualTo(oldest);
                oldest = oldest == 65_535 ? 1 : oldest + 1;
            }
        }
        assertThat(map.size()).isEqualTo(5_000);
        for (int i = 0, id = oldest; i < 5_000; i++, id = id == 65_535 ? 1 : id + 1) {
            assertThat(map.containsKey(id)).as("id %d", id).isTrue();
        }
        map.clear();
        assertThat(map.isEmpty()).isTrue();
        assertThat(map.get(oldest)).isNull();
    }
}
