package io.cairn.auth.file.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls files for changes on one daemon thread and runs an action for each change. A change is any difference in
 * existence, modification time, size or file key (inode): polling the path, rather than watching the directory,
 * also sees an editor that writes a new file and renames it over the old one, and a file on a network share.
 */
final class FileWatcher implements AutoCloseable {

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
    private final Map<Path, Stamp> stamps = new ConcurrentHashMap<>();

    /**
     * @param name           for the thread's name
     * @param intervalMillis how often to poll
     */
    FileWatcher(String name, long intervalMillis, Map<Path, Runnable> actions, Map<Path, Stamp> initial) {
        stamps.putAll(initial);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cairn-auth-file-" + name + "-watch");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> poll(actions), intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void poll(Map<Path, Runnable> actions) {
        for (Map.Entry<Path, Runnable> e : actions.entrySet()) {
            Stamp now = Stamp.of(e.getKey());
            if (!Objects.equals(now, stamps.put(e.getKey(), now))) {
                try {
                    e.getValue().run();
                } catch (RuntimeException ex) {
                    LOG.error("Reloading {} failed", e.getKey(), ex);
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
