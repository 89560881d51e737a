package io.cairn.persistence.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log that cannot be written: sync() fails loudly instead of pretending the data is safe. */
class WriteFailureTest {

    @TempDir
    Path dir;

    private static Message message(int i) {
        return Message.of("t/" + i, Samples.patterned(1_000), QoS.AT_LEAST_ONCE, true);
    }

    @Test
    @DisplayName("when the next segment cannot be created, pending and later syncs fail naming the file")
    void syncFailsWhenTheLogCannotBeWritten() throws Exception {
        FileStoreSettings settings = FileStoreSettings.defaults(dir).withSegmentBytes(4096).withCompactionThreshold(0);
        // a directory where the second segment file should go: opening it for writing fails
        Path blocker = Files.createDirectory(dir.resolve("segment-00000000000000000002.log"));
        try (FileStore store = FileStore.open(settings)) {
            store.retained().put(message(0));
            Samples.sync(store);

            for (int i = 1; i < 8; i++) {
                store.retained().put(message(i));
            }
            CompletableFuture<Void> sync = store.retained().sync().toCompletableFuture();

            assertThatThrownBy(() -> sync.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(UncheckedIOException.class).hasMessageContaining(blocker.toString());
            assertThat(store.sessions().sync().toCompletableFuture())
                    .as("a later sync fails at once").isCompletedExceptionally();
            assertThat(store.retained().get("t/7")).as("changes stay readable from memory").contains(message(7));
        }
        Files.delete(blocker);

        try (FileStore reopened = FileStore.open(settings)) {
            assertThat(reopened.retained().get("t/0")).as("what was synced before the failure")
                    .contains(message(0));
        }
    }
}
