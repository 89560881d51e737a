package io.cairn.persistence.file.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One segment file of the log, {@code segment-<20-digit number>.log}. Its channel is opened by the writer
 * thread when the first record is written to it (or at open, for segments that exist); readers use positional
 * reads only, so they never disturb the writer's position.
 */
public final class Segment {

    final long number;
    final Path file;
    /** Bytes reserved in this segment: its size once everything queued is written. Guarded by the log's lock. */
    long size;
    /** Bytes of records that still hold current state. */
    final AtomicLong live = new AtomicLong();
    private volatile FileChannel channel;

    Segment(long number, Path file) {
        this.number = number;
        this.file = file;
    }

    static String fileName(long number) {
        return String.format("segment-%020d.log", number);
    }

    FileChannel channel() throws IOException {
        FileChannel c = channel;
        if (c == null) {
            synchronized (this) {
                c = channel;
                if (c == null) {
                    c = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
                    channel = c;
                }
            }
        }
        return c;
    }

    boolean opened() {
        return channel != null;
    }

    void close() {
        FileChannel c = channel;
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing a channel we only read from or already forced: nothing is lost
            }
        }
    }

    void live(long delta) {
        live.addAndGet(delta);
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
