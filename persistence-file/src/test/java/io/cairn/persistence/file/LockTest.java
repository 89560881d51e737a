package io.cairn.persistence.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One store per directory: the lock file. */
class LockTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("a second open of the same directory fails, naming the directory, the other broker and its pid")
    void secondOpenFails() throws Exception {
        Path store = dir.resolve("nested/store");
        try (FileStore first = FileStore.open(FileStoreSettings.defaults(store))) {
            assertThat(store.resolve("lock")).isRegularFile();
            assertThat(Files.readString(store.resolve("lock")).strip())
                    .isEqualTo(Long.toString(ProcessHandle.current().pid()));

            assertThatThrownBy(() -> FileStore.open(FileStoreSettings.defaults(store)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(store.toAbsolutePath().toString())
                    .hasMessageContaining("another broker holds")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid());

            assertThat(first.sessions().size()).as("the first store still works").isZero();
        }

        try (FileStore again = FileStore.open(FileStoreSettings.defaults(store))) {
            assertThat(again.recovery().clean()).isTrue();
        }
    }
}
