package io.cairn.persistence.file.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.persistence.file.FileStore;
import io.cairn.persistence.file.FileStoreSettings;
import io.cairn.persistence.file.FileStoreSettings.Durability;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The component's configuration: defaults, every key, and bad values reported with their key. */
class FileStoreConfigTest {

    @TempDir
    Path home;

    @Test
    @DisplayName("an empty configuration gives data/store under the home, sync, 1000 ms, 64 MiB, 0.5 and ranking 10")
    void defaults() {
        FileStoreConfig config = FileStoreConfig.from(Map.of(), home);

        assertThat(config.settings()).isEqualTo(FileStoreSettings.defaults(home.resolve("data/store")));
        assertThat(config.ranking()).isEqualTo(10);
    }

    @Test
    @DisplayName("every key is read, from strings as a .cfg file gives them or from typed values")
    void everyKey() {
        FileStoreConfig config = FileStoreConfig.from(Map.of("directory", "/var/lib/cairn", "durability",
                "Periodic", "fsyncIntervalMillis", "250", "segmentBytes", 1_048_576L, "compactionThreshold", "0.25",
                "service.ranking", 20), home);

        assertThat(config.settings()).isEqualTo(new FileStoreSettings(Path.of("/var/lib/cairn"), Durability.PERIODIC,
                250, 1_048_576, 0.25));
        assertThat(config.ranking()).isEqualTo(20);
    }

    @Test
    @DisplayName("a bad value is an error naming its key and the problem")
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> FileStoreConfig.from(Map.of("durability", "eventually"), home))
                .isInstanceOf(FileStoreConfig.InvalidKey.class).hasMessageContaining("durability")
                .hasMessageContaining("eventually");
        assertThatThrownBy(() -> FileStoreConfig.from(Map.of("fsyncIntervalMillis", "-5"), home))
                .hasMessageStartingWith("fsyncIntervalMillis: must not be negative");
        assertThatThrownBy(() -> FileStoreConfig.from(Map.of("segmentBytes", "lots"), home))
                .hasMessageStartingWith("segmentBytes: not a whole number");
        assertThatThrownBy(() -> FileStoreConfig.from(Map.of("segmentBytes", "100"), home))
                .hasMessageStartingWith("segmentBytes: must be between 4096");
        assertThatThrownBy(() -> FileStoreConfig.from(Map.of("compactionThreshold", "2"), home))
                .hasMessageStartingWith("compactionThreshold: must be between 0 and 1");
        assertThatThrownBy(() -> FileStoreConfig.from(Map.of("directory", " "), home))
                .hasMessageStartingWith("directory: must not be empty");
    }

    @Test
    @DisplayName("unknown keys are listed; framework keys are not")
    void unknownKeys() {
        assertThat(FileStoreConfig.unknownKeys(Map.of("directroy", "x", "service.pid", "p", "component.id", 1,
                "felix.fileinstall.filename", "f", "durability", "sync"))).containsExactly("directroy");
    }

    @Test
    @DisplayName("the source is the file FileInstall read, else the PID")
    void source() {
        assertThat(FileStoreConfig.source(Map.of())).isEqualTo("io.cairn.persistence.file");
        assertThat(FileStoreConfig.source(Map.of("felix.fileinstall.filename",
                "file:/opt/cairn/etc/io.cairn.persistence.file.cfg")))
                .isEqualTo("/opt/cairn/etc/io.cairn.persistence.file.cfg");
    }

    @Test
    @DisplayName("the component opens the configured directory, and fails when another store holds it")
    void componentOpensAndFailsOnALockedDirectory() throws Exception {
        Map<String, Object> properties = Map.of("directory", "store", "durability", "periodic");
        try (FileStore store = FileStoreComponent.open(properties, home)) {
            assertThat(store.settings().directory()).isEqualTo(home.resolve("store"));
            assertThat(store.sessions().durable()).isFalse();

            assertThatThrownBy(() -> FileStoreComponent.open(properties, home)).isInstanceOf(IOException.class)
                    .hasMessageContaining("another broker holds");
        }
        assertThatThrownBy(() -> FileStoreComponent.open(Map.of("durability", "later"), home))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
