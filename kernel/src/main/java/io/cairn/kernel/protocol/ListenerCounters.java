package io.cairn.kernel.protocol;

import io.cairn.api.broker.ListenerMetrics;
import io.cairn.api.broker.MessageCounts;
import io.cairn.api.message.QoS;
import io.cairn.api.message.ReasonCode;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one listener name, shared by all its connections and kept while the broker runs (a listener
 * opened again under the same name goes on from them). Messages and bytes are counted on the connections' event
 * loops with {@link LongAdder}s (striped per thread under contention: no lock, no allocation per message);
 * refusals, which are rare, in one atomic slot per reason.
 */
public final class ListenerCounters {

    private static final ReasonCode[] REASONS = ReasonCode.values();

    private final String name;
    private final ByteCounter bytes = new ByteCounter();
    private final LongAdder[] received = {new LongAdder(), new LongAdder(), new LongAdder()};
    private final LongAdder[] sent = {new LongAdder(), new LongAdder(), new LongAdder()};
    private final LongAdder accepted = new LongAdder();
    private final LongAdder open = new LongAdder();
    private final LongAdder clients = new LongAdder();
    private final AtomicLongArray refused = new AtomicLongArray(REASONS.length);
    private final AtomicLongArray authFailures = new AtomicLongArray(REASONS.length);

    public ListenerCounters(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** The pipeline handler that counts this listener's bytes (sharable by all its connections). */
    public ByteCounter bytes() {
        return bytes;
    }

    void received(QoS qos) {
        received[qos.value()].increment();
    }

    void sent(QoS qos) {
        sent[qos.value()].increment();
    }

    /** A network connection of this listener became active. */
    void opened() {
        accepted.increment();
        open.increment();
    }

    /** A connection counted by {@link #opened()} closed. */
    void closed() {
        open.decrement();
    }

    /** A client's CONNECT was accepted and its session attached. */
    public void attached() {
        clients.increment();
    }

    /** A client counted by {@link #attached()} disconnected. */
    public void detached() {
        clients.decrement();
    }

    void refused(ReasonCode reason) {
        refused.incrementAndGet(reason.ordinal());
    }

    void authFailed(ReasonCode reason) {
        authFailures.incrementAndGet(reason.ordinal());
    }

    public long connectionsAccepted() {
        return accepted.sum();
    }

    public long messagesReceived() {
        return received[0].sum() + received[1].sum() + received[2].sum();
    }

    public long messagesSent() {
        return sent[0].sum() + sent[1].sum() + sent[2].sum();
    }

    /** The figures now; {@code open} says whether the listener accepts connections now. */
    public ListenerMetrics snapshot(boolean isOpen) {
        return new ListenerMetrics(name, isOpen, open.sum(), clients.sum(), accepted.sum(), counts(received),
                counts(sent), bytes.bytesIn(), bytes.bytesOut(), byReason(refused), byReason(authFailures));
    }

    private static MessageCounts counts(LongAdder[] adders) {
        return new MessageCounts(adders[0].sum(), adders[1].sum(), adders[2].sum());
    }

    private static Map<ReasonCode, Long> byReason(AtomicLongArray counts) {
        Map<ReasonCode, Long> map = new EnumMap<>(ReasonCode.class);
        for (int i = 0; i < REASONS.length; i++) {
            long n = counts.get(i);
            if (n > 0) {
                map.put(REASONS[i], n);
            }
        }
        return map;
    }
}
