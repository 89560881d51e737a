package io.cairn.transport.tls.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls files on one daemon thread and runs an action once per poll in which any of them changed. A change is any
 * difference in existence, modification time, size or file key (inode): polling the path rather than watching the
 * directory also sees a file renamed over the old one (how certificate tools and Kubernetes secrets update) and a
 * file on a network share. The same idea as auth-file's watcher, which this bundle must not depend on.
 */
public final class FileWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);

    /** What a poll compares; {@code null} fields for a file that does not exist. */
    record Stamp(boolean exists, FileTime modified, long size, Object key) {
        static Stamp of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(true, a.lastModifiedTime(), a.size(), a.fileKey());
            } catch (IOException e) {
                return new Stamp(false, null, -1, null);
            }
        }
    }

    private final ScheduledExecutorService timer;
    private final List<Path> files;
    private final Map<Path, Stamp> stamps = new HashMap<>();
    private final Runnable action;

    /**
     * Takes the files' current stamps as the baseline and starts polling.
     *
     * @param name     for the thread's name
     * @param interval how often to poll
     * @param files    the files to watch
     * @param action   run on the polling thread after a poll that saw a change
     */
    public FileWatcher(String name, Duration interval, List<Path> files, Runnable action) {
        this.files = List.copyOf(files);
        this.action = Objects.requireNonNull(action, "action");
        for (Path f : this.files) {
            stamps.put(f, Stamp.of(f));
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cairn-tls-" + name + "-watch");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(1, interval.toMillis());
        timer.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        boolean changed = false;
        for (Path f : files) {
            Stamp now = Stamp.of(f);
            if (!now.equals(stamps.put(f, now))) {
                changed = true;
            }
        }
        if (changed) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.error("Reloading {} failed", files, e);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
