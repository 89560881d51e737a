package io.cairn.bench.store;

import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionStore;
import io.cairn.persistence.file.FileStore;
import io.cairn.persistence.file.FileStoreSettings;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One open store under test: its session and retained sides, the bytes it holds on disk, and close. Opened
 * again on the same directory it recovers what the previous instance held.
 */
interface Candidate extends AutoCloseable {

    /** The store kinds of {@code --store}. */
    enum Kind {
        /** The memory stores of persistence-mem: the baseline, nothing on disk. */
        MEM,
        /** The project's segmented log, io.cairn.persistence.file.FileStore (module persistence-file). */
        FILE,
        /** {@link MvStoreStores}, on H2 MVStore. */
        MVSTORE
    }

    /** {@code --durability}: sync() waits for an fsync, or the store fsyncs every interval. */
    enum Durability { SYNC, PERIODIC }

    SessionStore sessions();

    RetainedStore retained();

    /** Bytes the store's files take on disk now; 0 for memory. */
    long diskBytes();

    /** Rewrites what is live and drops what is garbage, now, as far as the store can; memory does nothing. */
    default void compactNow() {
    }

    @Override
    void close() throws IOException;

    /**
     * Opens a store of {@code kind} on {@code dir}.
     *
     * @param intervalMillis the fsync interval for {@link Durability#PERIODIC}
     * @param previous       the memory candidate to "reopen" (memory keeps its state only in the same process); null
     *                       for a first open
     */
    static Candidate open(Kind kind, Path dir, Durability durability, long intervalMillis, Candidate previous)
            throws Exception {
        return switch (kind) {
            case MEM -> previous instanceof Memory m ? m : new Memory();
            case MVSTORE -> new Mv(MvStoreStores.open(dir, durability == Durability.SYNC
                    ? MvStoreStores.Durability.SYNC : MvStoreStores.Durability.PERIODIC, intervalMillis));
            case FILE -> FileLog.open(dir, durability, intervalMillis);
        };
    }

    /** Memory: close keeps the state, so a reopen in the same process sees it, as the memory bundle would. */
    final class Memory implements Candidate {
        private final MemorySessionStore sessions = new MemorySessionStore();
        private final MemoryRetainedStore retained = new MemoryRetainedStore();

        @Override
        public SessionStore sessions() {
            return sessions;
        }

        @Override
        public RetainedStore retained() {
            return retained;
        }

        @Override
        public long diskBytes() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    /** H2 MVStore. */
    record Mv(MvStoreStores stores) implements Candidate {
        @Override
        public SessionStore sessions() {
            return stores.sessions();
        }

        @Override
        public RetainedStore retained() {
            return stores.retained();
        }

        @Override
        public long diskBytes() {
            return stores.diskBytes();
        }

        @Override
        public void compactNow() {
            stores.compactNow(60_000);
        }

        @Override
        public void close() {
            stores.close();
        }
    }

    /**
     * The segmented log of module persistence-file: {@code FileStore.open(new FileStoreSettings(dir, durability,
     * fsyncIntervalMillis, segmentBytes, compactionThreshold))} with the segment size and compaction threshold of
     * {@link FileStoreSettings#defaults}.
     */
    record FileLog(FileStore store) implements Candidate {

        static Candidate open(Path dir, Durability durability, long intervalMillis) throws IOException {
            FileStoreSettings defaults = FileStoreSettings.defaults(dir);
            return new FileLog(FileStore.open(new FileStoreSettings(dir, durability == Durability.SYNC
                    ? FileStoreSettings.Durability.SYNC : FileStoreSettings.Durability.PERIODIC, intervalMillis,
                    defaults.segmentBytes(), defaults.compactionThreshold())));
        }

        @Override
        public SessionStore sessions() {
            return store.sessions();
        }

        @Override
        public RetainedStore retained() {
            return store.retained();
        }

        @Override
        public long diskBytes() {
            return store.diskBytes();
        }

        @Override
        public void compactNow() {
            store.compactNow();
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
