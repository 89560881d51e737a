package io.cairn.persistence.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.message.QoS;
import io.cairn.persistence.file.FileStoreSettings.Durability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sync() in SYNC mode: group commit. */
class GroupCommitTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 200;

    @TempDir
    Path dir;

    @Test
    @DisplayName("sync() futures from many threads all complete, and one force serves many of them")
    void manySyncsShareForces() throws Exception {
        try (FileStore store = FileStore.open(FileStoreSettings.defaults(dir))) {
            long forcesBefore = store.forces();
            List<CompletableFuture<Void>> futures = runThreads(THREADS, t -> {
                List<CompletableFuture<Void>> mine = new ArrayList<>();
                for (int i = 0; i < ROUNDS; i++) {
                    store.retained().put(Samples.text("t/" + t + "/" + i, "m", QoS.AT_LEAST_ONCE));
                    mine.add(store.retained().sync().toCompletableFuture());
                }
                return mine;
            });
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            long forces = store.forces() - forcesBefore;
            assertThat(futures).hasSize(THREADS * ROUNDS).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
            assertThat(forces).as("forces for %d appends each followed by sync()", THREADS * ROUNDS)
                    .isPositive().isLessThanOrEqualTo(THREADS * ROUNDS);
            assertThat(store.retained().size()).isEqualTo(THREADS * ROUNDS);
        }
    }

    @Test
    @DisplayName("syncs waiting on the same appended change all complete after a single force")
    void waitersOnOneChangeShareOneForce() throws Exception {
        try (FileStore store = FileStore.open(FileStoreSettings.defaults(dir))) {
            Samples.sync(store);
            long forcesBefore = store.forces();
            store.sessions().save(Samples.full("client"));
            List<CompletableFuture<Void>> futures = runThreads(THREADS, t -> {
                List<CompletableFuture<Void>> mine = new ArrayList<>();
                for (int i = 0; i < ROUNDS; i++) {
                    mine.add(store.sessions().sync().toCompletableFuture());
                }
                return mine;
            });
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            assertThat(futures).hasSize(THREADS * ROUNDS);
            assertThat(store.forces() - forcesBefore).as("forces for one change and %d syncs", THREADS * ROUNDS)
                    .isEqualTo(1);
        }
    }

    @Test
    @DisplayName("in PERIODIC mode sync() completes at once and the store says it is not durable")
    void periodicSyncCompletesAtOnce() throws Exception {
        try (FileStore store = FileStore.open(FileStoreSettings.defaults(dir).withDurability(Durability.PERIODIC))) {
            store.retained().put(Samples.text("a", "b", QoS.AT_LEAST_ONCE));

            assertThat(store.retained().sync().toCompletableFuture()).isCompleted();
            assertThat(store.sessions().sync().toCompletableFuture()).isCompleted();
            assertThat(store.sessions().durable()).isFalse();
            assertThat(store.retained().durable()).isFalse();
        }
    }

    @Test
    @DisplayName("in PERIODIC mode the writer forces the log on its own, every fsyncIntervalMillis")
    void periodicModeForcesOnItsOwn() throws Exception {
        FileStoreSettings settings = new FileStoreSettings(dir, Durability.PERIODIC, 20, 1 << 20, 0.5);
        try (FileStore store = FileStore.open(settings)) {
            long before = store.forces();
            store.retained().put(Samples.text("a", "b", QoS.AT_LEAST_ONCE));

            await().atMost(Duration.ofSeconds(30)).until(() -> store.forces() > before);
            long after = store.forces();
            store.retained().put(Samples.text("a", "c", QoS.AT_LEAST_ONCE));
            await().atMost(Duration.ofSeconds(30)).until(() -> store.forces() > after);
        }
    }

    private interface Work {
        List<CompletableFuture<Void>> run(int thread) throws Exception;
    }

    private static List<CompletableFuture<Void>> runThreads(int threads, Work work) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<CompletableFuture<Void>>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(executor.submit(() -> {
                    if (!start.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("start gate not opened");
                    }
                    return work.run(thread);
                }));
            }
            start.countDown();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (Future<List<CompletableFuture<Void>>> r : results) {
                all.addAll(r.get(60, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
