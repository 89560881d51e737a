package io.cairn.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conns scenario: opens N mostly idle connections with keep-alive from K loopback source addresses with
 * bounded pending CONNECTs, reports the connect rate and the broker's memory per connection, holds them
 * (optionally with one pair flow running) and closes them.
 */
final class ConnsRun {

    private static final Logger LOG = LoggerFactory.getLogger(ConnsRun.class);

    /** Connections per warm-up wave: each wave is opened in full, then closed. */
    static final int WARMUP_WAVE = 1_000;

    /** The most warm-up waves, whatever the warm-up time. */
    static final int MAX_WARMUP_WAVES = 200;

    private final BenchOptions options;

    ConnsRun(BenchOptions options) {
        this.options = options;
    }

    /**
     * Runs the scenario and prints the human line and the JSON line to {@code out}.
     *
     * @return 0 if every connection was accepted and held, 1 otherwise
     * @throws BenchException {@link BenchException#CONNECT_FAILED} if not one connection was accepted
     */
    int execute(PrintWriter out) throws InterruptedException {
        BrokerProcess broker = options.brokerPid != null ? new BrokerProcess(options.brokerPid) : null;
        if (broker != null) {
            broker.check();
        }
        InetSocketAddress remote = Runs.remote(options);
        RunState run = new RunState(Runs.newRunId());
        String prefix = Runs.clientIdPrefix(run.runId());
        int n = options.clients(Scenario.CONNS);
        List<MqttConnection> connections = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            connections.add(new MqttConnection(prefix + "c" + i, options.endpoint(), null, 0, run));
        }
        IntFunction<SocketAddress> source = sources(remote);
        EventLoopGroup group = NettyTransport.group(options.threads());
        Flow pair = null;
        Launcher launcher;
        long rssBefore = -1;
        long rssAfter = -1;
        Measurement pairMeasurement = null;
        int warmedUp = 0;
        try {
            Bootstrap bootstrap = NettyTransport.bootstrap(group);
            warmedUp = warmUp(bootstrap, remote, source, prefix, run, n);
            rssBefore = broker != null ? broker.rssKib() : -1;
            LOG.info("conns: opening {} connections to {} over {} from {} source address(es), {} at once", n,
                    remote, Runs.describe(options), options.sources, options.connectConcurrency);
            launcher = new Launcher(bootstrap, remote, connections, source, options.connectConcurrency);
            launcher.start();
            if (!launcher.await()) {
                run.fail("connecting did not finish in time");
            }
            rssAfter = broker != null ? broker.rssKib() : -1;
            if (launcher.connected() == 0) {
                throw new BenchException(BenchException.CONNECT_FAILED, launcher.firstFailure() != null
                        ? launcher.firstFailure() : "could not connect to " + options.endpoint().address());
            }
            LOG.info("conns: {} connected, {} failed in {} s; holding {} s", launcher.connected(),
                    launcher.failed(), String.format(Locale.ROOT, "%.2f", launcher.seconds()), options.hold);
            if (options.withPair) {
                pair = Flow.build(Scenario.PAIR, 1, options, run, prefix + "P");
                pair.connect(bootstrap, remote, 2);
                double warm = Math.min(options.warmup, options.hold / 2);
                pairMeasurement = Measurement.of(pair, run, broker, Measurement.millis(warm),
                        Measurement.millis(options.hold - warm), Measurement.millis(options.drain));
            } else {
                run.awaitFailure(Measurement.millis(options.hold));
            }
        } finally {
            if (pair != null) {
                pair.disconnect(5_000);
            }
            closeAll(connections);
            Runs.shutdown(group);
        }
        return report(out, run, launcher, n, warmedUp, rssBefore, rssAfter, pair, pairMeasurement);
    }

    /**
     * For {@code --warmup} seconds, opens and closes waves of connections the way the measured wave will
     * open them, so that the connect path of this tool (and of the broker) is compiled before the rate is
     * measured: on one core, the JIT compiling that path during the measured wave is slower than the broker.
     *
     * @return the connections opened and closed
     * @throws BenchException {@link BenchException#CONNECT_FAILED} if a warm-up connection failed
     */
    private int warmUp(Bootstrap bootstrap, InetSocketAddress remote, IntFunction<SocketAddress> source,
                       String prefix, RunState run, int n) throws InterruptedException {
        long millis = Measurement.millis(options.warmup);
        if (millis <= 0) {
            return 0;
        }
        LOG.info("conns: warming up for {} s", options.warmup);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        int size = Math.min(n, WARMUP_WAVE);
        int opened = 0;
        for (int wave = 0; wave < MAX_WARMUP_WAVES && System.nanoTime() - deadline < 0; wave++) {
            List<MqttConnection> connections = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                connections.add(new MqttConnection(prefix + "w" + wave + "-" + i, options.endpoint(), null, 0, run));
            }
            Launcher launcher = new Launcher(bootstrap, remote, connections, source, options.connectConcurrency);
            try {
                launcher.start();
                if (!launcher.await() || launcher.failed() > 0) {
                    throw new BenchException(BenchException.CONNECT_FAILED, "warm-up: " + (launcher.firstFailure()
                            != null ? launcher.firstFailure() : "connecting did not finish in time"));
                }
            } finally {
                closeAll(connections);
            }
            opened += size;
        }
        return opened;
    }

    private IntFunction<SocketAddress> sources(InetSocketAddress remote) {
        int k = options.sources;
        if (!remote.getAddress().isLoopbackAddress()) {
            if (k > 1) {
                throw new BenchException(2, "--sources " + k + " needs a loopback --host (source addresses are"
                        + " 127.0.0.1 .. 127.0.0." + k + ")");
            }
            return i -> null;
        }
        InetSocketAddress[] addresses = new InetSocketAddress[k];
        for (int i = 0; i < k; i++) {
            addresses[i] = new InetSocketAddress("127.0.0." + (i + 1), 0);
        }
        return i -> addresses[i % k];
    }

    private static void closeAll(List<MqttConnection> connections) throws InterruptedException {
        Flow.closeAll(connections, 10_000);
    }

    private int report(PrintWriter out, RunState run, Launcher launcher, int n, int warmedUp, long rssBefore,
                       long rssAfter, Flow pair, Measurement pairMeasurement) {
        int connected = launcher.connected();
        int failed = launcher.failed();
        String failure = run.failure();
        boolean pairOk = true;
        if (pair != null) {
            long lost = Math.max(0, pair.expected() - pair.delivered());
            pairOk = pair.delivered() > 0 && pair.duplicates() == 0
                    && (options.qos == 0 || lost == 0 && pair.gaps() == 0);
        }
        if (failure == null && run.rejected() > 0) {
            failure = "the broker rejected " + run.rejected() + " message(s), the first: " + run.firstRejection();
        }
        boolean ok = failure == null && failed == 0 && connected == n && pairOk;
        double seconds = launcher.seconds();
        double perConn = rssBefore >= 0 && connected > 0 ? (rssAfter - rssBefore) / (double) connected : Double.NaN;

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("scenario", Scenario.CONNS.command());
        json.put("label", options.label);
        json.put("qos", options.qos);
        json.put("size", options.size);
        json.put("clients", n);
        json.put("sources", options.sources);
        json.put("keepalive", options.keepAlive);
        json.put("protocol", options.protocol);
        json.put("warmup_s", options.warmup);
        json.put("warmup_connections", warmedUp);
        json.put("threads", options.threads());
        options.putTransport(json);
        json.put("connections", connected);
        json.put("connect_seconds", seconds);
        json.put("connects_per_s", seconds > 0 ? connected / seconds : 0.0);
        json.put("failed", failed);
        json.put("hold_s", options.hold);
        if (options.brokerPid != null) {
            json.put("rss_before_kib", rssBefore);
            json.put("rss_after_kib", rssAfter);
            json.put("rss_per_conn_kib", perConn);
            json.put("broker_rss_kib", rssAfter);
        }
        StringBuilder human = new StringBuilder(String.format(Locale.ROOT,
                "conns clients=%d sources=%d mqtt=%s%s: %s connected in %.2f s (%s conns/s) failed=%d", n,
                options.sources, options.endpoint().protocolName(), options.endpoint().front().summary(),
                Runs.count(connected), seconds, Runs.count(seconds > 0 ? connected / seconds : 0), failed));
        if (options.brokerPid != null) {
            human.append(String.format(Locale.ROOT, " [broker rss %s -> %s KiB, %.2f KiB/conn]",
                    Runs.count(rssBefore), Runs.count(rssAfter), perConn));
        }
        if (pair != null) {
            json.put("pair_msgs_per_s", pairMeasurement.deliveriesPerSecond());
            json.put("pair_lost", Math.max(0, pair.expected() - pair.delivered()));
            json.put("pair_duplicated", pair.duplicates());
            json.put("pair_out_of_order", pair.gaps());
            json.put("pair_rejected", run.rejected());
            if (options.brokerPid != null) {
                json.put("broker_cpu_cores", pairMeasurement.brokerCpuCores());
            }
            human.append(String.format(Locale.ROOT, " [pair qos=%d: %s msg/s]", options.qos,
                    Runs.count(pairMeasurement.deliveriesPerSecond())));
        }
        json.put("ok", ok);
        if (failure != null) {
            json.put("error", failure);
            human.append(" FAILED: ").append(failure);
        } else if (!ok) {
            String reason = failed > 0 ? launcher.firstFailure() : "pair flow verification";
            json.put("error", reason);
            human.append(" FAILED: ").append(reason);
        }
        out.println(human);
        out.println(Json.object(json));
        out.flush();
        return ok ? 0 : 1;
    }
}
