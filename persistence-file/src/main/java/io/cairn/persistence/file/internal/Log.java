package io.cairn.persistence.file.internal;

import io.cairn.persistence.file.FileStoreSettings.Durability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append side of the log and its writer thread.
 *
 * <p>Callers encode a record themselves and call {@link #append}: under one short lock it gets its segment and
 * offset and joins the queue; nothing else happens on the caller's thread. The writer thread drains the queue in
 * batches, writes each batch with gathering writes and, in {@link Durability#SYNC} mode, forces the touched
 * segments once per batch before it completes every {@link #sync()} future the batch covers (group commit). In
 * {@link Durability#PERIODIC} mode it forces every {@code fsyncIntervalMillis} instead. A failed write or force
 * fails every waiting and later future and is logged once as an ERROR; the data stays readable from memory.
 *
 * <p>Segments are deleted only by compaction, under the write side of {@link #segmentsLock}; readers hold the
 * read side while they read bodies, so a location they found is never deleted under them.
 */
public final class Log implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Log.class);

    private final Path directory;
    private final Durability durability;
    private final long fsyncIntervalNanos;
    private final long segmentBytes;

    final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    final ReentrantReadWriteLock segmentsLock = new ReentrantReadWriteLock();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition rolled = lock.newCondition();
    // guarded by lock
    private final ArrayDeque<LogEntry> queue = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private Segment active;
    private long reserved;
    private boolean closing;
    private boolean forceRequested;
    private IOException failure;
    private long rolls;

    private volatile long durable;
    private final AtomicLong forces = new AtomicLong();
    private final Thread writer;

    private record Waiter(long target, CompletableFuture<Void> future, boolean force) {
    }

    Log(Path directory, Durability durability, long fsyncIntervalMillis, long segmentBytes, List<Segment> existing,
        Segment active) {
        this.directory = directory;
        this.durability = durability;
        this.fsyncIntervalNanos = TimeUnit.MILLISECONDS.toNanos(fsyncIntervalMillis);
        this.segmentBytes = segmentBytes;
        for (Segment s : existing) {
            segments.put(s.number, s);
        }
        this.active = active;
        segments.put(active.number, active);
        this.writer = new Thread(this::writeLoop, "cairn-file-store-writer " + directory.getFileName());
        writer.setDaemon(true);
    }

    void start() {
        writer.start();
    }

    /**
     * Appends an encoded record ({@link Codec.Out#finish()}) to the log; returns where it will be. Never blocks on
     * I/O.
     *
     * @throws IllegalStateException if the log is closed
     */
    LogEntry append(byte[] record) {
        lock.lock();
        try {
            if (closing) {
                throw new IllegalStateException("the file store " + directory + " is closed");
            }
            if (active.size > 0 && active.size + record.length > segmentBytes) {
                roll();
            }
            reserved += record.length;
            LogEntry entry = new LogEntry(active, active.size, record.length, reserved, record);
            active.size += record.length;
            if (queue.isEmpty()) {
                work.signal();
            }
            queue.add(entry);
            return entry;
        } finally {
            lock.unlock();
        }
    }

    private void roll() {
        long number = active.number + 1;
        active = new Segment(number, directory.resolve(Segment.fileName(number)));
        segments.put(number, active);
        rolls++;
        rolled.signalAll();
    }

    /** Closes the active segment if it holds anything, so that compaction may take it. */
    void rollNow() {
        lock.lock();
        try {
            if (active.size > 0) {
                roll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The segments appends no longer go to, oldest first. */
    List<Segment> closedSegments() {
        lock.lock();
        try {
            List<Segment> closed = new ArrayList<>();
            for (Segment s : segments.values()) {
                if (s != active) {
                    closed.add(s);
                }
            }
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** The bytes of all segments, including those appended but not yet written. */
    long bytes() {
        lock.lock();
        try {
            long total = 0;
            for (Segment s : segments.values()) {
                total += s.size;
            }
            return total;
        } finally {
            lock.unlock();
        }
    }

    /** The segment appends go to now. */
    Segment active() {
        lock.lock();
        try {
            return active;
        } finally {
            lock.unlock();
        }
    }

    /** How many times the log rolled over to a new segment since open. */
    long rolls() {
        lock.lock();
        try {
            return rolls;
        } finally {
            lock.unlock();
        }
    }

    /** Waits, at most {@code nanos}, for the log to roll or close; returns at once if it already closed. */
    void awaitRoll(long sinceRolls, long nanos, java.util.function.BooleanSupplier stop) throws InterruptedException {
        lock.lock();
        try {
            while (!closing && !stop.getAsBoolean() && rolls == sinceRolls && nanos > 0) {
                nanos = rolled.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a thread in {@link #awaitRoll} so that it checks its stop condition. */
    void wake() {
        lock.lock();
        try {
            rolled.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean closing() {
        lock.lock();
        try {
            return closing;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Completes when everything appended before the call is on disk (SYNC), or at once (PERIODIC).
     */
    CompletionStage<Void> sync() {
        if (durability == Durability.PERIODIC) {
            lock.lock();
            try {
                return failure == null ? CompletableFuture.completedFuture(null) : failed(failure);
            } finally {
                lock.unlock();
            }
        }
        return waitFor(false);
    }

    /** Completes when everything appended before the call is forced to disk, in either mode. */
    CompletableFuture<Void> forceAndWait() {
        return waitFor(true);
    }

    private CompletableFuture<Void> waitFor(boolean force) {
        lock.lock();
        try {
            if (failure != null) {
                return failed(failure);
            }
            if (reserved <= durable && !force) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> future = new CompletableFuture<>();
            if (closing) {
                future.completeExceptionally(new IllegalStateException("the file store " + directory + " is closed"));
                return future;
            }
            waiters.add(new Waiter(reserved, future, force));
            if (force) {
                forceRequested = true;
            }
            work.signal();
            return future;
        } finally {
            lock.unlock();
        }
    }

    private static CompletableFuture<Void> failed(IOException failure) {
        return CompletableFuture.failedFuture(new UncheckedIOException(failure.getMessage(), failure));
    }

    /** How many times the writer forced the log to disk since open. */
    long forces() {
        return forces.get();
    }

    /**
     * The whole record at {@code entry}, from memory while it is not written yet, else from its file; its magic,
     * length and checksum are checked. The caller holds the read side of {@link #segmentsLock}.
     *
     * @throws UncheckedIOException if the record cannot be read or is damaged
     */
    byte[] read(LogEntry entry) {
        byte[] pending = entry.pending;
        if (pending != null) {
            return pending;
        }
        byte[] bytes = new byte[entry.length];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try {
            FileChannel channel = entry.segment.channel();
            long position = entry.offset;
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new IOException("end of file at " + position);
                }
                position += n;
            }
        } catch (IOException e) {
            LOG.error("File store: reading the record at offset {} of {} failed: {}", entry.offset,
                    entry.segment.file, e.toString());
            throw new UncheckedIOException("reading " + entry.segment.file + " at " + entry.offset + " failed", e);
        }
        int length = ByteBuffer.wrap(bytes, 1, 4).getInt();
        int crc = ByteBuffer.wrap(bytes, 5, 4).getInt();
        if (bytes[0] != Codec.MAGIC || length != entry.length - Codec.HEADER
                || crc != Codec.crc(bytes, Codec.HEADER, length)) {
            LOG.error("File store: the record at offset {} of {} is damaged (bad magic, length or checksum)",
                    entry.offset, entry.segment.file);
            throw new UncheckedIOException(new IOException("damaged record in " + entry.segment.file + " at offset "
                    + entry.offset));
        }
        return bytes;
    }

    /** Deletes a segment that compaction emptied; waits only for readers that are reading right now. */
    void delete(Segment segment) throws IOException, InterruptedException {
        while (!segmentsLock.writeLock().tryLock()) {
            // the untimed tryLock does not queue, so readers are never held up behind compaction
            LockSupport.parkNanos(1_000_000);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        try {
            segments.remove(segment.number);
            segment.close();
            Files.deleteIfExists(segment.file);
        } finally {
            segmentsLock.writeLock().unlock();
        }
        syncDirectory();
    }

    private void writeLoop() {
        long lastForce = System.nanoTime();
        Set<Segment> unforced = new LinkedHashSet<>();
        List<LogEntry> batch = new ArrayList<>();
        while (true) {
            boolean force;
            boolean last;
            long target;
            lock.lock();
            try {
                while (queue.isEmpty() && !closing && !forceRequested && !periodicDue(unforced, lastForce)) {
                    if (durability == Durability.PERIODIC && !unforced.isEmpty()) {
                        long wait = fsyncIntervalNanos - (System.nanoTime() - lastForce);
                        work.awaitNanos(Math.max(wait, 1));
                    } else {
                        work.awaitUninterruptibly();
                    }
                }
                batch.addAll(queue);
                queue.clear();
                target = reserved;
                last = closing;
                force = forceRequested || last || durability == Durability.SYNC
                        || periodicDue(unforced, lastForce);
                forceRequested = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                continue;
            } finally {
                lock.unlock();
            }
            IOException problem = null;
            Segment failedSegment = null;
            if (failureSnapshot() == null) {
                try {
                    write(batch, unforced);
                } catch (SegmentIOException e) {
                    problem = e.cause;
                    failedSegment = e.segment;
                }
                if (problem == null && force && !unforced.isEmpty()) {
                    for (Segment s : unforced) {
                        try {
                            s.channel().force(false);
                        } catch (IOException e) {
                            problem = e;
                            failedSegment = s;
                            break;
                        }
                    }
                    if (problem == null) {
                        forces.incrementAndGet();
                        unforced.clear();
                        lastForce = System.nanoTime();
                    }
                }
            }
            batch.clear();
            completeWaiters(force && problem == null ? target : -1, problem, failedSegment);
            if (last) {
                closeSegments();
                return;
            }
        }
    }

    private boolean periodicDue(Set<Segment> unforced, long lastForce) {
        return durability == Durability.PERIODIC && !unforced.isEmpty()
                && System.nanoTime() - lastForce >= fsyncIntervalNanos;
    }

    private IOException failureSnapshot() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    private static final class SegmentIOException extends Exception {
        final Segment segment;
        final IOException cause;

        SegmentIOException(Segment segment, IOException cause) {
            super(cause);
            this.segment = segment;
            this.cause = cause;
        }
    }

    /** Writes the batch, one gathering write per run of records in the same segment. */
    private void write(List<LogEntry> batch, Set<Segment> unforced) throws SegmentIOException {
        int i = 0;
        while (i < batch.size()) {
            Segment segment = batch.get(i).segment;
            int j = i;
            while (j < batch.size() && batch.get(j).segment == segment) {
                j++;
            }
            try {
                boolean created = !segment.opened() && !Files.exists(segment.file);
                FileChannel channel = segment.channel();
                if (created) {
                    syncDirectory();
                }
                ByteBuffer[] buffers = new ByteBuffer[j - i];
                for (int k = i; k < j; k++) {
                    buffers[k - i] = ByteBuffer.wrap(batch.get(k).pending);
                }
                channel.position(batch.get(i).offset);
                int from = 0;
                while (from < buffers.length) {
                    channel.write(buffers, from, buffers.length - from);
                    while (from < buffers.length && !buffers[from].hasRemaining()) {
                        from++;
                    }
                }
            } catch (IOException e) {
                throw new SegmentIOException(segment, e);
            }
            unforced.add(segment);
            for (int k = i; k < j; k++) {
                batch.get(k).pending = null;
            }
            i = j;
        }
    }

    private void completeWaiters(long durableUpTo, IOException problem, Segment failedSegment) {
        List<Waiter> done = new ArrayList<>();
        IOException failed;
        lock.lock();
        try {
            if (problem != null && failure == null) {
                failure = new IOException("writing " + failedSegment.file + " failed: " + problem.getMessage(),
                        problem);
                LOG.error("File store: writing or forcing {} failed: {}; every sync() fails from now on and new "
                        + "changes are kept in memory only", failedSegment.file, problem.toString());
            }
            failed = failure;
            if (durableUpTo >= 0) {
                durable = durableUpTo;
            }
            while (!waiters.isEmpty() && (failed != null || waiters.peek().target <= durable)) {
                done.add(waiters.poll());
            }
            if (closing && failed == null) {
                done.addAll(waiters);
                waiters.clear();
            }
        } finally {
            lock.unlock();
        }
        for (Waiter w : done) {
            if (failed != null) {
                w.future.completeExceptionally(new UncheckedIOException(failed.getMessage(), failed));
            } else {
                w.future.complete(null);
            }
        }
    }

    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform can open a directory; the file's own force still covers its data
        }
    }

    private void closeSegments() {
        for (Segment s : segments.values()) {
            s.close();
        }
    }

    /** Writes and forces everything queued, stops the writer and closes the files. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            work.signal();
            rolled.signalAll();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (true) {
            try {
                writer.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
