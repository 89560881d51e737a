package io.cairn.persistence.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.persistence.SessionStore;
import io.cairn.api.persistence.tck.SessionStoreContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the session store contract against the file store's {@link SessionStore}, in SYNC mode. */
class FileSessionStoreTest extends SessionStoreContract {

    @TempDir
    Path dir;

    private FileStore fileStore;

    @Override
    protected SessionStore newStore() {
        try {
            fileStore = FileStore.open(FileStoreSettings.defaults(dir).withSegmentBytes(256 * 1024));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fileStore.sessions();
    }

    @Override
    protected void dispose(SessionStore store) {
        fileStore.close();
    }

    @Test
    @DisplayName("in SYNC mode the store says it is durable")
    void durableInSyncMode() {
        assertThat(store().durable()).isTrue();
        assertThat(fileStore.retained().durable()).isTrue();
    }
}
