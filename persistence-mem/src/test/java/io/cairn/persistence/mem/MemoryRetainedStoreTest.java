package io.cairn.persistence.mem;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.tck.RetainedStoreContract;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs the retained store contract against {@link MemoryRetainedStore}, plus what is particular to it. */
class MemoryRetainedStoreTest extends RetainedStoreContract {

    @Override
    protected RetainedStore newStore() {
        return new MemoryRetainedStore();
    }

    @Test
    @DisplayName("every retained message moves to another store through forEach and put")
    void messagesMoveToAnotherStore() {
        for (int i = 0; i < 20; i++) {
            store().put(message("t/" + i, "m" + i));
        }
        MemoryRetainedStore target = new MemoryRetainedStore();

        store().forEach(target::put);

        assertThat(target.size()).isEqualTo(20);
        for (int i = 0; i < 20; i++) {
            assertThat(target.get("t/" + i)).contains(message("t/" + i, "m" + i));
        }
        store().remove("t/0");
        assertThat(target.get("t/0")).as("the target is independent of its source").isPresent();
    }

    @Test
    @DisplayName("separate instances share nothing")
    void instancesAreSeparate() {
        MemoryRetainedStore other = new MemoryRetainedStore();

        store().put(message("a", "b"));

        assertThat(other.get("a")).isEmpty();
        assertThat(other.size()).isZero();
    }

    @Test
    @DisplayName("toString names the store and the number of retained messages")
    void toStringCountsMessages() {
        store().put(message("a", "1"));

        assertThat(store()).hasToString("MemoryRetainedStore[messages=1]");
    }

    private static Message message(String topic, String payload) {
        return Message.of(topic, payload.getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, true);
    }
}
