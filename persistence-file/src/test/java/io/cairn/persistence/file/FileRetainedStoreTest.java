package io.cairn.persistence.file;

import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.tck.RetainedStoreContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Runs the retained store contract against the file store's {@link RetainedStore}. */
class FileRetainedStoreTest extends RetainedStoreContract {

    @TempDir
    Path dir;

    private FileStore fileStore;

    @Override
    protected RetainedStore newStore() {
        try {
            fileStore = FileStore.open(FileStoreSettings.defaults(dir).withSegmentBytes(256 * 1024));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fileStore.retained();
    }

    @Override
    protected void dispose(RetainedStore store) {
        fileStore.close();
    }
}
