package io.cairn.kernel.delivery;

import io.cairn.api.message.Message;
import io.cairn.api.persistence.RetainedStore;
import io.cairn.kernel.routing.RetainedIndex;
import io.cairn.kernel.store.NoRetainedStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retained message of each topic (MQTT 3.1.1 §3.3.1.3): indexed in memory for wildcard look-ups on
 * subscribe, written through to the active {@link RetainedStore}. Thread-safe.
 */
public final class RetainedMessages {

    private static final Logger LOG = LoggerFactory.getLogger(RetainedMessages.class);

    private final RetainedIndex<Publication> index = new RetainedIndex<>();
    private volatile RetainedStore store = NoRetainedStore.INSTANCE;
    private boolean hadStore;

    /**
     * Applies a PUBLISH with retain 1: a payload replaces the topic's retained message (MQTT-3.3.1-5), an empty
     * payload removes it (MQTT-3.3.1-10, -11).
     */
    public void update(Publication publication) {
        String topic = publication.topic();
        boolean kept = stored(topic);
        if (publication.payloadSize() == 0) {
            index.remove(topic);
            if (kept) {
                store.remove(topic);
            }
        } else {
            // one copy of the payload, shared by the store's message and the index's publication
            Message message = publication.toMessage();
            index.put(topic, Publication.of(message, publication.receivedAt()));
            if (kept) {
                store.put(message);
            }
        }
    }

    /**
     * Whether a retained message on {@code topic} goes to the store: not the broker's own {@code $SYS/} tree,
     * which is republished after each start and would otherwise be rewritten to disk at every {@code $SYS}
     * interval and shown stale after a restart until its first publication.
     */
    static boolean stored(String topic) {
        return !topic.startsWith("$SYS/");
    }

    /**
     * Calls {@code action} for each retained message whose topic matches {@code filter}. A message whose MQTT 5
     * Message Expiry Interval has passed is not given and is discarded: the topic has no retained message any
     * more (MQTT 5.0 §3.3.2.3.3).
     */
    public void match(String filter, Consumer<Publication> action) {
        long now = System.currentTimeMillis();
        List<Publication> expired = new ArrayList<>(0);
        index.match(filter, p -> {
            if (p.expired(now)) {
                expired.add(p);
            } else {
                action.accept(p);
            }
        });
        for (Publication p : expired) {
            if (index.remove(p.topic(), p) != null) {
                store.remove(p.topic());
            }
        }
    }

    public int size() {
        return index.size();
    }

    /** Whether the store in force makes changes durable in {@link #sync()}. */
    public boolean durable() {
        return store.durable();
    }

    /** Completes when every change written to the store in force so far is durable. */
    public java.util.concurrent.CompletionStage<Void> sync() {
        return store.sync();
    }

    /**
     * Switches to {@code newStore}. The first store is loaded from (messages it holds that the index lacks); at
     * a later switch the index is the truth and messages only the new store holds are removed from it. Then every
     * indexed message is written to it, so nothing is lost either way.
     */
    public synchronized void useStore(RetainedStore newStore) {
        int[] loaded = new int[1];
        List<Publication> toWrite = new ArrayList<>();
        if (!hadStore) {
            // the first store: it holds the retained messages from before this start; only what the index held
            // already (messages retained before the store came) is written to it
            index.forEach(toWrite::add);
            List<String> notOurs = new ArrayList<>();
            newStore.forEach(m -> {
                if (!stored(m.topic())) {
                    notOurs.add(m.topic()); // written by a version that stored $SYS: stale now
                } else if (index.get(m.topic()) == null) {
                    index.put(m.topic(), Publication.of(m, System.currentTimeMillis()));
                    loaded[0]++;
                }
            });
            notOurs.forEach(newStore::remove);
        } else {
            // a switch: the index is the truth; topics only the new store has are stale
            List<String> stale = new ArrayList<>();
            newStore.forEach(m -> {
                if (index.get(m.topic()) == null) {
                    stale.add(m.topic());
                }
            });
            stale.forEach(newStore::remove);
            index.forEach(toWrite::add);
        }
        hadStore = true;
        store = newStore;
        for (Publication p : toWrite) {
            Publication current = index.get(p.topic()); // a newer one may have replaced it meanwhile
            if (current != null && stored(current.topic())) {
                newStore.put(current.toMessage());
            }
        }
        LOG.info("Retained messages now kept by {} ({} loaded from it, {} held)", newStore, loaded[0], index.size());
    }

    /** Stops writing to {@code oldStore} if it is the active store. */
    public void dropStore(RetainedStore oldStore) {
        if (store == oldStore) {
            store = NoRetainedStore.INSTANCE;
        }
    }
}
