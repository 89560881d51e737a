package io.cairn.bench.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.tck.RetainedStoreContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the retained store contract against the H2 MVStore candidate, plus a close-and-reopen check. */
class MvStoreRetainedStoreTest extends RetainedStoreContract {

    @TempDir
    Path dir;

    private MvStoreStores stores;

    @Override
    protected RetainedStore newStore() {
        try {
            stores = MvStoreStores.open(dir.resolve("store"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return stores.retained();
    }

    @Override
    protected void dispose(RetainedStore store) {
        stores.close();
    }

    @Test
    @DisplayName("retained messages survive close and reopen, removals too")
    void survivesReopen() throws Exception {
        for (int i = 0; i < 500; i++) {
            store().put(Message.of("t/" + i, new byte[] {(byte) i}, QoS.AT_LEAST_ONCE, true));
        }
        store().remove("t/7");
        store().sync().toCompletableFuture().get(30, TimeUnit.SECONDS);
        stores.close();

        stores = MvStoreStores.open(dir.resolve("store"));

        assertThat(stores.retained().size()).isEqualTo(499);
        assertThat(stores.retained().get("t/7")).isEmpty();
        assertThat(stores.retained().get("t/300"))
                .contains(Message.of("t/300", new byte[] {(byte) 300}, QoS.AT_LEAST_ONCE, true));
    }

    @Test
    @DisplayName("with periodic durability sync completes at once and the store says it is not durable")
    void periodicIsNotDurable() throws Exception {
        stores.close();
        stores = MvStoreStores.open(dir.resolve("periodic"), MvStoreStores.Durability.PERIODIC, 50);
        RetainedStore periodic = stores.retained();
        periodic.put(Message.of("p", new byte[] {1}, QoS.AT_MOST_ONCE, true));

        assertThat(periodic.durable()).isFalse();
        assertThat(periodic.sync().toCompletableFuture()).isCompleted();
    }
}
