package io.cairn.persistence.file.internal;

/**
 * Where one record of the log lives: its segment, offset and total length. Until the writer thread has written
 * it, the encoded record is kept in {@link #pending}, so readers never wait for the disk.
 */
public final class LogEntry {

    final Segment segment;
    final long offset;
    final int length;
    /** The log position after this record (bytes appended since open); used for group commit. */
    final long end;
    /** The whole encoded record until it is written; then {@code null}. */
    volatile byte[] pending;

    LogEntry(Segment segment, long offset, int length, long end, byte[] pending) {
        this.segment = segment;
        this.offset = offset;
        this.length = length;
        this.end = end;
        this.pending = pending;
    }

    /** Counts {@code bytes} of this record as live (holding current state). */
    void live(long bytes) {
        segment.live(bytes);
    }

    /** Counts {@code bytes} of this record as garbage again. */
    void dead(long bytes) {
        segment.live(-bytes);
    }

    @Override
    public String toString() {
        return segment.file.getFileName() + "@" + offset;
    }
}
