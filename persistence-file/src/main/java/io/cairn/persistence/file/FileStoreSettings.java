package io.cairn.persistence.file;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link FileStore} keeps its log.
 *
 * @param directory           where the segment files and the lock file live; created if missing
 * @param durability          when {@code sync()} completes: after the data reached the disk, or at once
 * @param fsyncIntervalMillis in {@link Durability#PERIODIC} mode, how often the writer forces the log to disk
 *                            (at least 1)
 * @param segmentBytes        the size at which the log rolls over to a new segment file (at least 4096; a single
 *                            record larger than this gets a segment of its own)
 * @param compactionThreshold compact when live bytes / total bytes of the closed segments falls below this
 *                            (0 never compacts in the background, 1 whenever any byte is garbage)
 */
public record FileStoreSettings(Path directory, Durability durability, long fsyncIntervalMillis, long segmentBytes,
                                double compactionThreshold) {

    /** The smallest accepted {@link #segmentBytes()}. */
    public static final long MIN_SEGMENT_BYTES = 4096;

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the setting that is out of range
     * @throws NullPointerException     if {@code directory} or {@code durability} is {@code null}
     */
    public FileStoreSettings {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(durability, "durability");
        if (fsyncIntervalMillis < 1) {
            throw new IllegalArgumentException("fsyncIntervalMillis must be at least 1, not " + fsyncIntervalMillis);
        }
        if (segmentBytes < MIN_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be at least " + MIN_SEGMENT_BYTES + ", not "
                    + segmentBytes);
        }
        if (!(compactionThreshold >= 0 && compactionThreshold <= 1)) {
            throw new IllegalArgumentException("compactionThreshold must be between 0 and 1, not "
                    + compactionThreshold);
        }
    }

    /** {@link Durability#SYNC}, a 1000 ms fsync interval (used only in periodic mode), 64 MiB segments, 0.5. */
    public static FileStoreSettings defaults(Path directory) {
        return new FileStoreSettings(directory, Durability.SYNC, 1000, 64L << 20, 0.5);
    }

    /** These settings with another durability. */
    public FileStoreSettings withDurability(Durability newDurability) {
        return new FileStoreSettings(directory, newDurability, fsyncIntervalMillis, segmentBytes, compactionThreshold);
    }

    /** These settings with another segment size. */
    public FileStoreSettings withSegmentBytes(long newSegmentBytes) {
        return new FileStoreSettings(directory, durability, fsyncIntervalMillis, newSegmentBytes, compactionThreshold);
    }

    /** These settings with another compaction threshold. */
    public FileStoreSettings withCompactionThreshold(double newThreshold) {
        return new FileStoreSettings(directory, durability, fsyncIntervalMillis, segmentBytes, newThreshold);
    }

    /** When {@code sync()} of the stores completes. */
    public enum Durability {
        /**
         * {@code sync()} completes once everything appended before it was forced to disk (group commit: one
         * {@code fsync} serves every caller waiting at that moment); the stores report {@code durable() == true}.
         */
        SYNC,
        /**
         * {@code sync()} completes at once; the writer forces the log every {@code fsyncIntervalMillis}. A crash
         * loses at most the changes of that interval plus the batch being written; {@code durable() == false}.
         */
        PERIODIC
    }
}
