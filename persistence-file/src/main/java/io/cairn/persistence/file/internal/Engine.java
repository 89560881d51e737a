package io.cairn.persistence.file.internal;

import io.cairn.persistence.file.FileStoreSettings;
import io.cairn.persistence.file.FileStoreSettings.Durability;
import io.cairn.persistence.file.RecoveryReport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file store at work: the directory lock, the log with its writer, the two stores' indexes and the compaction
 * thread. {@link io.cairn.persistence.file.FileStore} is its public face.
 */
public final class Engine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static final long COMPACTION_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final FileStoreSettings settings;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Log log;
    private final FileSessionStore sessions;
    private final FileRetainedStore retained;
    private final RecoveryReport recovery;
    private final Object compaction = new Object();
    private final Thread compactor;
    private volatile boolean closed;

    private Engine(FileStoreSettings settings, FileChannel lockChannel, FileLock lock) throws IOException {
        this.settings = settings;
        this.lockChannel = lockChannel;
        this.lock = lock;
        boolean durable = settings.durability() == Durability.SYNC;
        this.sessions = new FileSessionStore(durable);
        this.retained = new FileRetainedStore(durable);
        Recovery.Result result = Recovery.run(settings.directory(), (type, payload, entry) -> {
            Codec.In in = new Codec.In(payload);
            if (type == Codec.RETAINED_PUT || type == Codec.RETAINED_REMOVE) {
                retained.replay(type, in, entry);
            } else {
                sessions.replay(type, in, entry);
            }
        });
        this.recovery = result.report();
        List<Segment> existing = new ArrayList<>(result.segments());
        Segment active;
        if (!existing.isEmpty() && existing.get(existing.size() - 1).size < settings.segmentBytes()) {
            active = existing.remove(existing.size() - 1);
        } else {
            long number = existing.isEmpty() ? 1 : existing.get(existing.size() - 1).number + 1;
            active = new Segment(number, settings.directory().resolve(Segment.fileName(number)));
        }
        this.log = new Log(settings.directory(), settings.durability(), settings.fsyncIntervalMillis(),
                settings.segmentBytes(), existing, active);
        sessions.attach(log);
        retained.attach(log);
        this.compactor = new Thread(this::compactLoop, "cairn-file-store-compactor "
                + settings.directory().getFileName());
        compactor.setDaemon(true);
    }

    /**
     * Locks the directory, replays the log and starts the writer and compaction threads.
     *
     * @throws IOException if the directory cannot be created or locked (another broker holds it), or read
     */
    public static Engine open(FileStoreSettings settings) throws IOException {
        Path directory = settings.directory().toAbsolutePath();
        FileStoreSettings absolute = new FileStoreSettings(directory, settings.durability(),
                settings.fsyncIntervalMillis(), settings.segmentBytes(), settings.compactionThreshold());
        Files.createDirectories(directory);
        Path lockFile = directory.resolve("lock");
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock fileLock;
        try {
            fileLock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            fileLock = null;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (fileLock == null) {
            String holder = holder(channel);
            channel.close();
            throw new IOException("The store directory " + directory + " is in use: another broker holds its lock "
                    + lockFile + (holder.isEmpty() ? "" : " (pid " + holder + ")"));
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                    0);
            channel.force(false);
            Engine engine = new Engine(absolute, channel, fileLock);
            engine.log.start();
            engine.compactor.start();
            LOG.info("File store {} open ({}): {} records in {} segments replayed in {} ms{}", directory,
                    absolute.durability().name().toLowerCase(java.util.Locale.ROOT), engine.recovery.records(),
                    engine.recovery.segments(), engine.recovery.millis(),
                    engine.recovery.clean() ? "" : ", " + engine.recovery.problems().size() + " problems");
            return engine;
        } catch (IOException | RuntimeException e) {
            fileLock.release();
            channel.close();
            throw e;
        }
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            channel.read(buffer, 0);
            buffer.flip();
            return StandardCharsets.US_ASCII.decode(buffer).toString().strip();
        } catch (IOException e) {
            return "";
        }
    }

    public FileSessionStore sessions() {
        return sessions;
    }

    public FileRetainedStore retained() {
        return retained;
    }

    public RecoveryReport recovery() {
        return recovery;
    }

    public long diskBytes() {
        return log.bytes();
    }

    public long forces() {
        return log.forces();
    }

    public FileStoreSettings settings() {
        return settings;
    }

    /** Rolls the active segment and compacts every closed segment, oldest first, whatever its live ratio. */
    public void compactNow() {
        synchronized (compaction) {
            log.rollNow();
            for (Segment segment : log.closedSegments()) {
                if (closed || !compact(segment)) {
                    return;
                }
            }
        }
    }

    private void compactLoop() {
        while (!closed && !log.closing()) {
            long rolls = log.rolls();
            try {
                synchronized (compaction) {
                    compactWhileNeeded();
                }
                log.awaitRoll(rolls, COMPACTION_CHECK_NANOS, () -> closed);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("File store {}: compaction failed; it is tried again later", settings.directory(), e);
            }
        }
    }

    /** Compacts the oldest closed segment while the closed segments' live ratio is below the threshold. */
    private void compactWhileNeeded() {
        int bound = log.closedSegments().size();
        for (int i = 0; i < bound && !closed; i++) {
            List<Segment> closedSegments = log.closedSegments();
            long total = 0;
            long live = 0;
            for (Segment s : closedSegments) {
                total += s.size;
                live += Math.max(0, s.live.get());
            }
            if (closedSegments.isEmpty() || total == 0 || live >= settings.compactionThreshold() * total) {
                return;
            }
            if (!compact(closedSegments.get(0))) {
                return;
            }
        }
    }

    /** Moves what is still live in {@code segment} to the end of the log, forces it and deletes the segment. */
    private boolean compact(Segment segment) {
        long started = System.nanoTime();
        long size = segment.size;
        int sessionsMoved = sessions.relocate(segment);
        int retainedMoved = retained.relocate(segment);
        try {
            log.forceAndWait().get();
            log.delete(segment);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | IOException e) {
            LOG.error("File store {}: compaction of {} stopped, the segment is kept: {}", settings.directory(),
                    segment.file, e.toString());
            return false;
        }
        LOG.debug("File store {}: compacted {} ({} bytes; {} sessions and {} retained messages moved) in {} ms",
                settings.directory(), segment.file.getFileName(), size, sessionsMoved, retainedMoved,
                (System.nanoTime() - started) / 1_000_000);
        return true;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.wake();
        boolean interrupted = false;
        while (true) {
            try {
                compactor.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        log.close();
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("File store {}: releasing the directory lock failed: {}", settings.directory(), e.toString());
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
