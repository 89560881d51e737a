package io.cairn.kernel;

import io.cairn.api.broker.BridgeStatus;
import io.cairn.api.broker.BrokerStatistics;
import io.cairn.api.message.Message;
import io.cairn.api.message.QoS;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code $SYS} tree: the broker's figures as retained messages under {@code $SYS/broker/}, with the names
 * Mosquitto uses where it has one, published every {@code sysIntervalSeconds} (only the values that changed).
 * Clients cannot publish there ({@link #isSysTopic}).
 */
final class SysTopics {

    private static final Logger LOG = LoggerFactory.getLogger(SysTopics.class);
    private static final String ROOT = "$SYS/broker/";
    /** The windows of the load averages, in minutes, as Mosquitto names them. */
    private static final int[] WINDOWS = {1, 5, 15};

    private final Kernel kernel;
    private final long startedAt = System.nanoTime();
    private final Map<String, String> published = new HashMap<>();
    private final Map<String, double[]> loads = new HashMap<>();
    private final Map<String, Long> lastCounts = new HashMap<>();
    private long lastAt;
    private long maximumConnected;
    private ScheduledFuture<?> task;

    SysTopics(Kernel kernel) {
        this.kernel = kernel;
    }

    /** Whether {@code topic} is in the {@code $SYS} tree, which only the broker publishes to. */
    static boolean isSysTopic(String topic) {
        return topic.startsWith("$SYS") && (topic.length() == 4 || topic.charAt(4) == '/');
    }

    /** Publishes now and then every {@code intervalSeconds} on one of the kernel's loops; 0 publishes nothing. */
    synchronized void start(int intervalSeconds) {
        if (intervalSeconds <= 0) {
            return;
        }
        task = kernel.loops().child().next().scheduleAtFixedRate(this::publishSafely, 0, intervalSeconds,
                TimeUnit.SECONDS);
    }

    synchronized void stop() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void publishSafely() {
        try {
            publish();
        } catch (RuntimeException e) {
            LOG.warn("$SYS: publishing the broker's figures failed", e);
        }
    }

    /** Publishes every value that changed since the last time (all of them the first time). */
    private synchronized void publish() {
        for (Map.Entry<String, String> e : next().entrySet()) {
            if (!e.getValue().equals(published.get(e.getKey()))) {
                published.put(e.getKey(), e.getValue());
                kernel.broker().publish(Message.of(e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8),
                        QoS.AT_MOST_ONCE, true));
            }
        }
    }

    /** The tree now, topic to value; advances the load averages and the maximum (so: once per publication). */
    private Map<String, String> next() {
        BrokerStatistics s = kernel.broker().statistics();
        long now = System.nanoTime();
        Map<String, String> v = new LinkedHashMap<>();
        v.put(ROOT + "version", "cairn version " + Kernel.VERSION);
        v.put(ROOT + "uptime", TimeUnit.NANOSECONDS.toSeconds(now - startedAt) + " seconds");
        maximumConnected = Math.max(maximumConnected, s.connectedClients());
        long persistentOffline = Math.max(0, s.sessions() - s.connectedClients());
        v.put(ROOT + "clients/connected", Long.toString(s.connectedClients()));
        v.put(ROOT + "clients/disconnected", Long.toString(persistentOffline));
        v.put(ROOT + "clients/total", Long.toString(s.sessions()));
        v.put(ROOT + "clients/maximum", Long.toString(maximumConnected));
        v.put(ROOT + "clients/connections/total", Long.toString(s.connectionsTotal()));
        v.put(ROOT + "messages/received", Long.toString(s.messagesReceived()));
        v.put(ROOT + "messages/sent", Long.toString(s.messagesSent()));
        v.put(ROOT + "messages/dropped", Long.toString(s.messagesDropped()));
        v.put(ROOT + "bytes/received", Long.toString(s.bytesReceived()));
        v.put(ROOT + "bytes/sent", Long.toString(s.bytesSent()));
        v.put(ROOT + "subscriptions/count", Long.toString(s.subscriptions()));
        v.put(ROOT + "retained messages/count", Long.toString(s.retainedMessages()));
        loads(now, Map.of("messages/received", s.messagesReceived(), "messages/sent", s.messagesSent(),
                "bytes/received", s.bytesReceived(), "bytes/sent", s.bytesSent(),
                "connections", s.connectionsTotal()), v);
        for (BridgeStatus b : kernel.broker().bridges()) {
            String base = ROOT + "bridges/" + b.name() + "/";
            v.put(base + "remote", b.remote());
            v.put(base + "connected", b.connected() ? "1" : "0");
            v.put(base + "queued", Long.toString(b.queued()));
            v.put(base + "sent", Long.toString(b.sent()));
            v.put(base + "received", Long.toString(b.received()));
            v.put(base + "last error", b.lastError() == null ? "" : b.lastError());
        }
        lastAt = now;
        return v;
    }

    /**
     * Mosquitto's {@code load/<figure>/<n>min}: exponentially weighted moving averages of the rate per minute over
     * 1, 5 and 15 minutes.
     */
    private void loads(long now, Map<String, Long> counts, Map<String, String> v) {
        double seconds = lastAt == 0 ? 0 : (now - lastAt) / 1e9;
        for (Map.Entry<String, Long> c : counts.entrySet()) {
            double[] avg = loads.computeIfAbsent(c.getKey(), k -> new double[WINDOWS.length]);
            Long before = lastCounts.put(c.getKey(), c.getValue());
            if (before != null && seconds > 0) {
                double perMinute = (c.getValue() - before) * 60.0 / seconds;
                for (int i = 0; i < WINDOWS.length; i++) {
                    avg[i] += (perMinute - avg[i]) * (1 - Math.exp(-seconds / (WINDOWS[i] * 60.0)));
                }
            }
            for (int i = 0; i < WINDOWS.length; i++) {
                v.put(ROOT + "load/" + c.getKey() + "/" + WINDOWS[i] + "min", String.format(Locale.ROOT, "%.2f",
                        avg[i]));
            }
        }
    }
}
