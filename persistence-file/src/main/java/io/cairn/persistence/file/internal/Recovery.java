package io.cairn.persistence.file.internal;

import io.cairn.persistence.file.RecoveryReport;
import io.cairn.persistence.file.RecoveryReport.Kind;
import io.cairn.persistence.file.RecoveryReport.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays the segment files in order and hands every valid record to a {@link Sink}.
 *
 * <p>A record is valid when its magic byte is right, its length is sane (at least the type byte, no further than
 * the end of the file), its type is known and its CRC-32C matches. Anything else in the middle of a segment is
 * skipped byte by byte up to the next valid record; a damaged tail of the last segment (a crash mid-write) is cut
 * off at the last good record. Every such problem is logged as a WARN and reported; none stops the open.
 */
final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    private static final Pattern NAME = Pattern.compile("segment-(\\d{20})\\.log");
    private static final int WINDOW = 1 << 20;

    /** Receives each valid record: its type, its payload after the type byte, and where it lives. */
    interface Sink {
        void apply(byte type, ByteBuffer payload, LogEntry entry);
    }

    /** The segments found, the last one (possibly truncated) included, and the report. */
    record Result(List<Segment> segments, RecoveryReport report) {
    }

    private Recovery() {
    }

    static Result run(Path directory, Sink sink) throws IOException {
        long started = System.nanoTime();
        TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "segment-*.log")) {
            for (Path file : stream) {
                Matcher m = NAME.matcher(file.getFileName().toString());
                if (m.matches()) {
                    files.put(Long.parseLong(m.group(1)), file);
                }
            }
        }
        List<Segment> segments = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        long records = 0;
        long bytes = 0;
        for (var e : files.entrySet()) {
            Segment segment = new Segment(e.getKey(), e.getValue());
            boolean last = e.getKey().equals(files.lastKey());
            try (FileChannel channel = FileChannel.open(segment.file, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                long size = channel.size();
                bytes += size;
                Window window = new Window(channel, size);
                long pos = 0;
                while (pos < size) {
                    int length = validAt(window, pos, size);
                    if (length > 0) {
                        ByteBuffer record = window.get(pos, length);
                        byte type = record.get(Codec.HEADER);
                        ByteBuffer payload = record.position(Codec.HEADER + 1).slice();
                        try {
                            sink.apply(type, payload, new LogEntry(segment, pos, length, 0, null));
                            records++;
                        } catch (RuntimeException bad) {
                            problems.add(problem(Kind.UNREADABLE_RECORD, segment.file, pos, length,
                                    "record of type " + type + " could not be decoded (" + bad.getMessage()
                                            + "); skipped"));
                        }
                        pos += length;
                        continue;
                    }
                    long next = pos + 1;
                    while (next < size && validAt(window, next, size) < 0) {
                        next++;
                    }
                    if (next >= size && last) {
                        channel.truncate(pos);
                        channel.force(false);
                        problems.add(problem(Kind.TRUNCATED_TAIL, segment.file, pos, size - pos,
                                "torn or damaged tail: truncated at the last good record, " + (size - pos)
                                        + " bytes dropped"));
                        size = pos;
                        break;
                    }
                    problems.add(problem(Kind.SKIPPED_CORRUPT_RANGE, segment.file, pos, next - pos,
                            "damaged bytes " + pos + ".." + next + " skipped (" + (next - pos) + " bytes)"));
                    pos = next;
                }
                segment.size = size;
            }
            segments.add(segment);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        return new Result(segments, new RecoveryReport(records, bytes, segments.size(), millis, problems));
    }

    private static Problem problem(Kind kind, Path file, long offset, long length, String description) {
        LOG.warn("File store recovery: {} at offset {}: {}", file, offset, description);
        return new Problem(kind, file, offset, length, description);
    }

    /** The total length of the valid record that starts at {@code pos}, or -1. */
    private static int validAt(Window window, long pos, long size) throws IOException {
        if (size - pos < Codec.HEADER + 1) {
            return -1;
        }
        ByteBuffer header = window.get(pos, Codec.HEADER + 1);
        if (header.get(0) != Codec.MAGIC) {
            return -1;
        }
        long length = header.getInt(1) & 0xFFFF_FFFFL;
        if (length < 1 || length > Codec.MAX_LENGTH || length > size - pos - Codec.HEADER
                || !Codec.knownType(header.get(Codec.HEADER))) {
            return -1;
        }
        int crc = header.getInt(5);
        ByteBuffer body = window.get(pos + Codec.HEADER, (int) length);
        return Codec.crc(body) == crc ? Codec.HEADER + (int) length : -1;
    }

    /** A read window over a segment file, so that the scan reads in large chunks. */
    private static final class Window {
        private final FileChannel channel;
        private final long size;
        private ByteBuffer buffer = ByteBuffer.allocate(0);
        private long start;

        Window(FileChannel channel, long size) {
            this.channel = channel;
            this.size = size;
        }

        /** {@code n} bytes from {@code pos} as a buffer positioned at 0 with limit {@code n}. */
        ByteBuffer get(long pos, int n) throws IOException {
            if (pos < start || pos + n > start + buffer.limit()) {
                int capacity = (int) Math.min(Math.max(WINDOW, n), size - pos);
                if (buffer.capacity() < capacity) {
                    buffer = ByteBuffer.allocate(Math.max(capacity, WINDOW));
                }
                buffer.clear().limit(capacity);
                long at = pos;
                while (buffer.hasRemaining()) {
                    int read = channel.read(buffer, at);
                    if (read < 0) {
                        throw new IOException("unexpected end of " + channel + " at " + at);
                    }
                    at += read;
                }
                buffer.flip();
                start = pos;
            }
            int from = (int) (pos - start);
            return buffer.duplicate().position(from).limit(from + n).slice();
        }
    }
}
