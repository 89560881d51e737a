package io.cairn.persistence.file.internal;

import io.cairn.api.message.Message;
import io.cairn.api.persistence.RetainedStore;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The {@link RetainedStore} of a file store: topic to the location of its RETAINED_PUT record. Messages stay on
 * disk (about 100 bytes of heap per topic besides the topic string); {@link #get} and {@link #forEach} read them
 * back. A put or remove appends its record and updates the map inside one atomic map operation on the topic, so
 * the log and the map agree on which of two racing puts came last.
 */
public final class FileRetainedStore implements RetainedStore {

    private final boolean durable;
    private final ConcurrentHashMap<String, LogEntry> topics = new ConcurrentHashMap<>();
    private Log log;

    FileRetainedStore(boolean durable) {
        this.durable = durable;
    }

    void attach(Log log) {
        this.log = log;
    }

    @Override
    public void put(Message message) {
        byte[] record = Codec.retainedPut(message);
        topics.compute(message.topic(), (topic, old) -> replace(old, log.append(record)));
    }

    private static LogEntry replace(LogEntry old, LogEntry entry) {
        if (old != null) {
            old.dead(old.length);
        }
        entry.live(entry.length);
        return entry;
    }

    @Override
    public void remove(String topic) {
        topics.computeIfPresent(topic, (t, old) -> {
            log.append(Codec.retainedRemove(t));
            old.dead(old.length);
            return null;
        });
    }

    @Override
    public Optional<Message> get(String topic) {
        log.segmentsLock.readLock().lock();
        try {
            LogEntry entry = topics.get(topic);
            return entry == null ? Optional.empty() : Optional.of(read(entry));
        } finally {
            log.segmentsLock.readLock().unlock();
        }
    }

    @Override
    public void forEach(Consumer<Message> action) {
        Objects.requireNonNull(action, "action");
        for (Map.Entry<String, LogEntry> e : topics.entrySet()) {
            Message message;
            log.segmentsLock.readLock().lock();
            try {
                message = read(e.getValue());
            } finally {
                log.segmentsLock.readLock().unlock();
            }
            action.accept(message);
        }
    }

    @Override
    public int size() {
        return topics.size();
    }

    private Message read(LogEntry entry) {
        byte[] bytes = log.read(entry);
        Codec.In in = new Codec.In(ByteBuffer.wrap(bytes, Codec.HEADER + 1, bytes.length - Codec.HEADER - 1));
        return Codec.message(in);
    }

    @Override
    public CompletionStage<Void> sync() {
        return log.sync();
    }

    @Override
    public boolean durable() {
        return durable;
    }

    /** Applies one record read back from the log at open. */
    void replay(byte type, Codec.In in, LogEntry e) {
        if (type == Codec.RETAINED_PUT) {
            Message message = Codec.message(in);
            topics.compute(message.topic(), (topic, old) -> replace(old, e));
        } else if (type == Codec.RETAINED_REMOVE) {
            LogEntry old = topics.remove(in.strNonNull());
            if (old != null) {
                old.dead(old.length);
            }
        } else {
            throw new IllegalArgumentException("not a retained record: type " + type);
        }
    }

    /** Re-appends every retained message whose record lives in {@code segment}, byte for byte. */
    int relocate(Segment segment) {
        int moved = 0;
        for (Map.Entry<String, LogEntry> e : topics.entrySet()) {
            LogEntry entry = e.getValue();
            if (entry.segment != segment) {
                continue;
            }
            byte[] bytes = log.read(entry);
            LogEntry now = topics.computeIfPresent(e.getKey(),
                    (topic, current) -> current == entry ? replace(current, log.append(bytes)) : current);
            if (now != entry) {
                moved++;
            }
        }
        return moved;
    }

    @Override
    public String toString() {
        return "FileRetainedStore[messages=" + topics.size() + ']';
    }
}
