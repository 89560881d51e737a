package io.cairn.persistence.file;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link FileStore#open} found when it replayed the log.
 *
 * @param records  the records read and applied (valid magic, length and checksum)
 * @param bytes    the bytes of all segment files read
 * @param segments the number of segment files read
 * @param millis   how long the replay took, in milliseconds
 * @param problems what was wrong with the files and what was done about it, in the order found; empty when the
 *                 log was intact
 */
public record RecoveryReport(long records, long bytes, int segments, long millis, List<Problem> problems) {

    public RecoveryReport {
        problems = List.copyOf(problems);
    }

    /** Whether the log was read without any problem. */
    public boolean clean() {
        return problems.isEmpty();
    }

    /** What kind of damage a {@link Problem} is. */
    public enum Kind {
        /** The last segment ended in a partial or damaged record (a crash mid-write); the tail was cut off. */
        TRUNCATED_TAIL,
        /** Bytes in the middle of a segment were not a valid record; they were skipped up to the next one. */
        SKIPPED_CORRUPT_RANGE,
        /** A record had a valid checksum but could not be decoded; it was skipped. */
        UNREADABLE_RECORD
    }

    /**
     * One problem found in a segment file.
     *
     * @param kind        what kind of damage
     * @param file        the segment file
     * @param offset      where the damaged range starts, in bytes from the start of the file
     * @param length      how many bytes were dropped or skipped
     * @param description one sentence for the log
     */
    public record Problem(Kind kind, Path file, long offset, long length, String description) {
        public Problem {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(description, "description");
        }
    }
}
