package io.cairn.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections, publishers and receivers of one message flow (pair, fanin, fanout, mesh or latency), and
 * its lifecycle: connect and subscribe all, publish, stop, drain, disconnect. Counters read while it runs are
 * sums of per-connection counters.
 */
final class Flow {

    private static final Logger LOG = LoggerFactory.getLogger(Flow.class);

    private final Scenario scenario;
    private final RunState run;
    private final List<MqttConnection> connections = new ArrayList<>();
    private final Publisher[] publishers;
    private final long[] receiversPerPublisher;
    /** Receivers whose messages are the flow's deliveries (in latency: the pongs back at the pingers). */
    private final List<Receiver> deliveries = new ArrayList<>();
    /** Receivers checked but not counted as deliveries (in latency: the pings at the pongers). */
    private final List<Receiver> pings = new ArrayList<>();
    private final List<Histogram> histograms = new ArrayList<>();
    private final int protocolLevel;

    private Flow(Scenario scenario, RunState run, int publisherCount, int protocolLevel) {
        this.scenario = scenario;
        this.protocolLevel = protocolLevel;
        this.run = run;
        this.publishers = new Publisher[publisherCount];
        this.receiversPerPublisher = new long[publisherCount];
    }

    /**
     * Builds the flow of {@code scenario} with {@code clients} clients; nothing is connected yet.
     *
     * @param idPrefix distinguishes this flow's client ids from other flows of the run
     */
    static Flow build(Scenario scenario, int clients, BenchOptions options, RunState run, String idPrefix) {
        Endpoint endpoint = options.endpoint();
        Endpoint subscribers = options.subscriberEndpoint();
        int qos = options.qos;
        int size = options.size;
        int publisherCount = switch (scenario) {
            case PAIR, FANIN, MESH, LATENCY -> clients;
            case FANOUT -> 1;
            case CONNS -> throw new IllegalArgumentException("conns is not a message flow");
        };
        Flow flow = new Flow(scenario, run, publisherCount, endpoint.protocolLevel());
        int window = scenario == Scenario.LATENCY && options.rate == 0 ? 1 : options.window;
        long interval = options.rate > 0 ? Math.max(1, Math.round(publisherCount * 1e9 / options.rate)) : 0;
        Publisher[] publishers = flow.publishers;
        switch (scenario) {
            case PAIR -> {
                for (int i = 0; i < clients; i++) {
                    String topic = "bench/pair/" + i;
                    MqttConnection pub = flow.add(idPrefix + "p" + i, endpoint, null, qos);
                    flow.publisher(i, pub, topic, qos, size, window, 1, interval);
                    MqttConnection sub = flow.add(idPrefix + "s" + i, subscribers, topic, qos);
                    sub.receiver(flow.delivery(true, null));
                }
            }
            case FANIN -> {
                for (int i = 0; i < clients; i++) {
                    MqttConnection pub = flow.add(idPrefix + "p" + i, endpoint, null, qos);
                    flow.publisher(i, pub, "bench/fanin/" + i, qos, size, window, 1, interval);
                }
                MqttConnection sub = flow.add(idPrefix + "s0", subscribers, "bench/fanin/+", qos);
                sub.receiver(flow.delivery(true, null));
            }
            case FANOUT -> {
                MqttConnection pub = flow.add(idPrefix + "p0", endpoint, null, qos);
                flow.publisher(0, pub, "bench/fanout", qos, size, window, clients, interval);
                for (int i = 0; i < clients; i++) {
                    MqttConnection sub = flow.add(idPrefix + "s" + i, subscribers, "bench/fanout", qos);
                    sub.receiver(flow.delivery(true, null));
                }
            }
            case MESH -> {
                for (int i = 0; i < clients; i++) {
                    MqttConnection c = flow.add(idPrefix + "m" + i, endpoint, "bench/mesh", qos);
                    flow.publisher(i, c, "bench/mesh", qos, size, window, clients, interval);
                    c.receiver(flow.delivery(true, null));
                }
            }
            case LATENCY -> {
                for (int i = 0; i < clients; i++) {
                    MqttConnection pinger = flow.add(idPrefix + "i" + i, endpoint, "bench/pong/" + i, qos);
                    flow.publisher(i, pinger, "bench/ping/" + i, qos, size, window, 1, interval);
                    Histogram histogram = new Histogram(3);
                    flow.histograms.add(histogram);
                    pinger.receiver(flow.delivery(true, histogram));
                    MqttConnection ponger = flow.add(idPrefix + "o" + i, endpoint, "bench/ping/" + i, qos);
                    Receiver pingCheck = new Receiver(run, publishers, false, null);
                    flow.pings.add(pingCheck);
                    ponger.receiver(pingCheck);
                    ponger.ponger(new Ponger(ponger, run, "bench/pong/" + i, qos, endpoint.protocolLevel()));
                }
            }
            default -> throw new IllegalArgumentException(scenario.command());
        }
        return flow;
    }

    private MqttConnection add(String clientId, Endpoint endpoint, String subscription, int qos) {
        MqttConnection c = new MqttConnection(clientId, endpoint, subscription, qos, run);
        connections.add(c);
        return c;
    }

    private void publisher(int id, MqttConnection connection, String topic, int qos, int size, int window,
                           int receivers, long interval) {
        PublishTemplate template = new PublishTemplate(protocolLevel, topic, qos, size, run.runId(), id);
        Publisher p = new Publisher(id, connection, template, qos, window, receivers, interval, run);
        publishers[id] = p;
        receiversPerPublisher[id] = receivers;
        connection.publisher(p);
    }

    private Receiver delivery(boolean completes, Histogram latency) {
        Receiver r = new Receiver(run, publishers, completes, latency);
        deliveries.add(r);
        return r;
    }

    Scenario scenario() {
        return scenario;
    }

    List<MqttConnection> connections() {
        return connections;
    }

    /**
     * Connects and subscribes every client, at most {@code concurrency} handshakes at once, then fits each
     * publisher's window to the Receive Maximum its broker announced.
     *
     * @throws BenchException with {@link BenchException#CONNECT_FAILED} if one could not
     */
    void connect(Bootstrap bootstrap, SocketAddress remote, int concurrency) throws InterruptedException {
        Launcher launcher = new Launcher(bootstrap, remote, connections, i -> null, concurrency);
        launcher.start();
        boolean finished = launcher.await();
        if (launcher.failed() > 0) {
            throw new BenchException(BenchException.CONNECT_FAILED, launcher.firstFailure());
        }
        if (!finished) {
            throw new BenchException(BenchException.CONNECT_FAILED, "connecting to the broker did not finish in time");
        }
        for (Publisher p : publishers) {
            int before = p.window();
            int after = p.honourReceiveMaximum();
            if (after < before && p.id() == 0) {
                LOG.warn("{}: the broker announced Receive Maximum {}: window lowered from {} to {}",
                        scenario.command(), receiveMaximum(), before, after);
            }
        }
    }

    /** The smallest window of the flow's publishers (lowered by a Receive Maximum once connected). */
    int window() {
        int min = Integer.MAX_VALUE;
        for (Publisher p : publishers) {
            min = Math.min(min, p.window());
        }
        return min;
    }

    /** The smallest Receive Maximum the broker announced to this flow's connections; 65,535 if none did. */
    int receiveMaximum() {
        int min = 65_535;
        for (MqttConnection c : connections) {
            min = Math.min(min, c.receiveMaximum());
        }
        return min;
    }

    /** Lets every publisher start; the run must be publishing. */
    void startPublishing() {
        for (Publisher p : publishers) {
            p.start();
        }
    }

    /**
     * Waits up to {@code millis} until no publisher is in the middle of a sending turn; call after
     * publishing was switched off, so that what is in flight no longer grows.
     *
     * @return whether every publisher stopped in time
     */
    boolean awaitPublishersStopped(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Publisher p : publishers) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !p.quiesce().await(left, TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    /** Deliveries so far (messages received at the subscribers, or round trips in latency). */
    long delivered() {
        long sum = 0;
        for (Receiver r : deliveries) {
            sum += r.received();
        }
        return sum;
    }

    /** Messages published so far (pings in latency). */
    long published() {
        long sum = 0;
        for (Publisher p : publishers) {
            sum += p.sent();
        }
        return sum;
    }

    /** Deliveries expected for what was published so far. */
    long expected() {
        long sum = 0;
        for (int i = 0; i < publishers.length; i++) {
            sum += publishers[i].sent() * receiversPerPublisher[i];
        }
        return sum;
    }

    /** Whether every message sent has completed (received everywhere and acknowledged). */
    boolean drained() {
        for (Publisher p : publishers) {
            if (!p.drained()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Waits up to {@code millis} for {@link #drained()}, stopping early if the run fails.
     *
     * @return whether it drained
     */
    boolean awaitDrained(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!drained()) {
            if (System.nanoTime() - deadline > 0 || run.awaitFailure(5)) {
                return drained();
            }
        }
        return true;
    }

    /** Sends DISCONNECT on every connection and waits up to {@code millis} for them to close. */
    void disconnect(long millis) throws InterruptedException {
        closeAll(connections, millis);
    }

    /** Sends DISCONNECT on every connected one of {@code list} and waits up to {@code millis} for them to close. */
    static void closeAll(List<MqttConnection> list, long millis) throws InterruptedException {
        List<ChannelFuture> closing = new ArrayList<>(list.size());
        for (MqttConnection c : list) {
            if (c.channel() != null) {
                closing.add(c.close());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (ChannelFuture f : closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !f.await(left, TimeUnit.NANOSECONDS)) {
                break;
            }
        }
    }

    /** Duplicates over all receivers; read after the event loops stopped. */
    long duplicates() {
        long sum = 0;
        for (Receiver r : deliveries) {
            sum += r.duplicates();
        }
        for (Receiver r : pings) {
            sum += r.duplicates();
        }
        return sum;
    }

    /** Gaps (out-of-order or missing sequences) over all receivers; read after the event loops stopped. */
    long gaps() {
        long sum = 0;
        for (Receiver r : deliveries) {
            sum += r.gaps();
        }
        for (Receiver r : pings) {
            sum += r.gaps();
        }
        return sum;
    }

    /** Messages of other runs that arrived on this flow's subscriptions. */
    long foreign() {
        long sum = 0;
        for (Receiver r : deliveries) {
            sum += r.foreign();
        }
        for (Receiver r : pings) {
            sum += r.foreign();
        }
        return sum;
    }

    /** The latencies of all pairs in one histogram (latency only); read after the event loops stopped. */
    Histogram latency() {
        Histogram all = new Histogram(3);
        for (Histogram h : histograms) {
            all.add(h);
        }
        return all;
    }
}
