package io.cairn.persistence.file.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads the records of one {@code load} or {@code forEach} call through a read-ahead window: the bodies of a
 * session's queue often lie close together in a segment, so one read serves a run of them. The caller says how
 * far the run reaches ({@link #span}); records of other sessions between them are read along only while the
 * gaps are small, so a queue interleaved with many others costs one small read per message, not one large one. A
 * record found in the window is checked (magic, length, CRC-32C); if it does not match, because the window was
 * read before the writer had written that record, it is read again on its own.
 */
final class BodyReader {

    private static final int WINDOW = 128 * 1024;

    private final Log log;
    private Segment segment;
    private long start;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW);

    BodyReader(Log log) {
        this.log = log;
    }

    /** The largest gap between two wanted records that is read through rather than skipped. */
    private static final int GAP = 4096;

    /**
     * How many bytes from {@code entries.get(i)} one read should take: up to the end of the last of the following
     * records that lie in the same segment, in order, with gaps of at most {@value #GAP} bytes, within the window.
     */
    static int span(java.util.List<LogEntry> entries, int i) {
        LogEntry first = entries.get(i);
        long end = first.offset + first.length;
        for (int j = i + 1; j < entries.size(); j++) {
            LogEntry next = entries.get(j);
            if (next == first || next.offset + next.length <= end && next.offset >= first.offset
                    && next.segment == first.segment) {
                continue;
            }
            if (next.segment != first.segment || next.offset < end || next.offset - end > GAP
                    || next.offset + next.length - first.offset > WINDOW) {
                break;
            }
            end = next.offset + next.length;
        }
        return (int) (end - first.offset);
    }

    /** Whether the record at {@code entry} must be read from its file (it is written and not in the window). */
    boolean needsFill(LogEntry entry) {
        return entry.pending == null && !inWindow(entry);
    }

    private boolean inWindow(LogEntry entry) {
        return segment == entry.segment && entry.offset >= start
                && entry.offset + entry.length <= start + window.limit();
    }

    /** The type and payload of the record at {@code entry}, checked; reads {@code span} bytes if it must read. */
    ByteBuffer read(LogEntry entry, int span) {
        byte[] pending = entry.pending;
        if (pending != null) {
            return ByteBuffer.wrap(pending, Codec.HEADER, pending.length - Codec.HEADER);
        }
        if (entry.length <= WINDOW) {
            if (!inWindow(entry)) {
                fill(entry, Math.max(span, entry.length));
            }
            if (inWindow(entry)) {
                ByteBuffer record = window.duplicate().position((int) (entry.offset - start))
                        .limit((int) (entry.offset - start + entry.length)).slice();
                if (valid(record, entry.length)) {
                    return record.position(Codec.HEADER).slice();
                }
            }
        }
        byte[] bytes = log.read(entry);
        return ByteBuffer.wrap(bytes, Codec.HEADER, bytes.length - Codec.HEADER);
    }

    private void fill(LogEntry entry, int length) {
        segment = null;
        window.clear().limit(Math.min(length, WINDOW));
        try {
            FileChannel channel = entry.segment.channel();
            long position = entry.offset;
            while (window.position() < entry.length) {
                int n = channel.read(window, position);
                if (n < 0) {
                    break;
                }
                position += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + entry.segment.file + " at " + entry.offset + " failed", e);
        }
        window.flip();
        segment = entry.segment;
        start = entry.offset;
    }

    private static boolean valid(ByteBuffer record, int length) {
        return record.get(0) == Codec.MAGIC && record.getInt(1) == length - Codec.HEADER
                && record.getInt(5) == Codec.crc(record.duplicate().position(Codec.HEADER));
    }
}
