package io.cairn.bench.store;

import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionStore;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
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
        /** The project's segmented log, io.cairn.persistence.file.FileStore (branch pfile), loaded by name. */
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
            case FILE -> FileByName.open(dir, durability, intervalMillis);
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
        public void close() {
            stores.close();
        }
    }

    /**
     * The segmented log of module persistence-file, reached by reflection so that this bench builds and runs
     * without it: {@code FileStore.open(new FileStoreSettings(dir, durability, fsyncIntervalMillis,
     * segmentBytes, compactionThreshold))} with the segment size and compaction threshold of
     * {@code FileStoreSettings.defaults(dir)}.
     */
    record FileByName(Object store, SessionStore sessions, RetainedStore retained, Method diskBytesMethod,
                      Method closeMethod)
            implements Candidate {

        static final String STORE = "io.cairn.persistence.file.FileStore";
        static final String SETTINGS = "io.cairn.persistence.file.FileStoreSettings";

        static Candidate open(Path dir, Durability durability, long intervalMillis) throws Exception {
            Class<?> storeClass;
            Class<?> settingsClass;
            try {
                storeClass = Class.forName(STORE);
                settingsClass = Class.forName(SETTINGS);
            } catch (ClassNotFoundException e) {
                throw new IOException("--store file needs module persistence-file (" + STORE
                        + ") on the class path; it is not in this build", e);
            }
            Object defaults = settingsClass.getMethod("defaults", Path.class).invoke(null, dir);
            Constructor<?> canonical = null;
            for (Constructor<?> c : settingsClass.getConstructors()) {
                if (c.getParameterCount() == 5) {
                    canonical = c;
                }
            }
            if (canonical == null) {
                throw new IOException(SETTINGS + " has no constructor (directory, durability, fsyncIntervalMillis,"
                        + " segmentBytes, compactionThreshold)");
            }
            Class<?> durabilityType = canonical.getParameterTypes()[1];
            Object mode = enumConstant(durabilityType, durability.name());
            Object settings = canonical.newInstance(dir, mode, intervalMillis,
                    component(defaults, "segmentBytes"), component(defaults, "compactionThreshold"));
            Object store = invoke(storeClass.getMethod("open", settingsClass), null, settings);
            return new FileByName(store, (SessionStore) storeClass.getMethod("sessions").invoke(store),
                    (RetainedStore) storeClass.getMethod("retained").invoke(store),
                    storeClass.getMethod("diskBytes"), storeClass.getMethod("close"));
        }

        private static Object enumConstant(Class<?> type, String name) {
            for (Object constant : type.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(name)) {
                    return constant;
                }
            }
            throw new IllegalArgumentException(type.getName() + " has no constant " + name);
        }

        private static Object component(Object record, String name) throws ReflectiveOperationException {
            if (record.getClass().isRecord()) {
                for (RecordComponent c : record.getClass().getRecordComponents()) {
                    if (c.getName().equals(name)) {
                        return c.getAccessor().invoke(record);
                    }
                }
            }
            return record.getClass().getMethod(name).invoke(record);
        }

        private static Object invoke(Method m, Object target, Object... args) throws Exception {
            try {
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                throw e;
            }
        }

        @Override
        public long diskBytes() {
            try {
                return ((Number) invoke(diskBytesMethod, store)).longValue();
            } catch (Exception e) {
                throw new IllegalStateException("diskBytes() failed", e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                invoke(closeMethod, store);
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("close() failed", e);
            }
        }
    }
}
