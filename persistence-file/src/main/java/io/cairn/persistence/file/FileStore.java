package io.cairn.persistence.file;

import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionStore;
import io.cairn.persistence.file.internal.Engine;
import java.io.IOException;

/**
 * A durable {@link SessionStore} and {@link RetainedStore} that share one append-only, segmented log in a
 * directory.
 *
 * <p>Every change is one record appended to the log; the caller's thread only encodes it and queues it, a writer
 * thread writes the queue in batches and forces it to disk once per batch ({@link FileStoreSettings.Durability#SYNC},
 * group commit) or periodically ({@link FileStoreSettings.Durability#PERIODIC}). The stores keep an index in
 * memory (sessions, subscriptions, packet identifiers and where each message body lies in the log) and read
 * message bodies back from the files. At open the log is replayed; a torn tail is cut off and damaged ranges are
 * skipped, as {@link #recovery()} reports. Segments whose content is mostly superseded are compacted in the
 * background. The directory is locked for as long as the store is open.
 *
 * <p>Thread-safe. Open with {@link #open}, close with {@link #close}: closing writes and forces everything
 * appended, then releases the directory.
 */
public final class FileStore implements AutoCloseable {

    private final Engine engine;

    private FileStore(Engine engine) {
        this.engine = engine;
    }

    /**
     * Opens the store in {@code settings.directory()}, creating the directory if it is missing, and replays its
     * log. Damaged data never stops the open: it is skipped, logged and reported in {@link #recovery()}.
     *
     * @throws IOException if the directory cannot be created, written or locked (the message names the directory
     *                     and, when another broker holds the lock, its process id)
     */
    public static FileStore open(FileStoreSettings settings) throws IOException {
        return new FileStore(Engine.open(settings));
    }

    /** The session store; valid until {@link #close()}. */
    public SessionStore sessions() {
        return engine.sessions();
    }

    /** The retained message store; valid until {@link #close()}. */
    public RetainedStore retained() {
        return engine.retained();
    }

    /** What the open found when it replayed the log. */
    public RecoveryReport recovery() {
        return engine.recovery();
    }

    /** The bytes of all segment files (including what was appended and is still being written). */
    public long diskBytes() {
        return engine.diskBytes();
    }

    /** How many times the writer forced the log to disk since open; one force serves many {@code sync()} calls. */
    public long forces() {
        return engine.forces();
    }

    /** The settings the store was opened with (the directory made absolute). */
    public FileStoreSettings settings() {
        return engine.settings();
    }

    /**
     * Compacts now, whatever the threshold: closes the active segment and rewrites what is live in every closed
     * segment at the end of the log, then deletes those segments. Blocks until done; for tests and benchmarks.
     */
    public void compactNow() {
        engine.compactNow();
    }

    /** Writes and forces everything appended, stops the threads and releases the directory. Idempotent. */
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return "FileStore[" + engine.settings().directory() + ']';
    }
}
