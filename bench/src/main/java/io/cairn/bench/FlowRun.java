package io.cairn.bench;

import io.netty.channel.EventLoopGroup;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a message-flow scenario (pair, fanin, fanout, mesh, latency) and prints its result lines. */
final class FlowRun {

    private static final Logger LOG = LoggerFactory.getLogger(FlowRun.class);

    private final Scenario scenario;
    private final BenchOptions options;

    FlowRun(Scenario scenario, BenchOptions options) {
        this.scenario = scenario;
        this.options = options;
    }

    /**
     * Connects, warms up, measures, drains, disconnects and prints the human line and the JSON line to
     * {@code out}.
     *
     * @return 0 if the run is valid, 1 if verification failed
     * @throws BenchException if the broker could not be reached or refused a client
     */
    int execute(PrintWriter out) throws InterruptedException {
        BrokerProcess broker = options.brokerPid != null ? new BrokerProcess(options.brokerPid) : null;
        if (broker != null) {
            broker.check();
        }
        RunState run = new RunState(Runs.newRunId());
        int clients = options.clients(scenario);
        Flow flow = Flow.build(scenario, clients, options, run, Runs.clientIdPrefix(run.runId()));
        EventLoopGroup group = NettyTransport.group(options.threads());
        Measurement m;
        try {
            LOG.info("{}: {} connections to {} over {} ({}, {} threads)", scenario.command(),
                    flow.connections().size(), options.endpoint().address(), Runs.describe(options),
                    NettyTransport.name(), options.threads());
            flow.connect(NettyTransport.bootstrap(group), Runs.remote(options), options.connectConcurrency);
            LOG.info("{}: warm-up {} s, measuring {} s", scenario.command(), options.warmup, options.duration);
            m = Measurement.of(flow, run, broker, Measurement.millis(options.warmup),
                    Measurement.millis(options.duration), Measurement.millis(options.drain));
        } finally {
            flow.disconnect(5_000);
            Runs.shutdown(group);
        }
        return report(out, run, flow, m);
    }

    private int report(PrintWriter out, RunState run, Flow flow, Measurement m) {
        long published = flow.published();
        long received = flow.delivered();
        long lost = Math.max(0, flow.expected() - received);
        long duplicated = flow.duplicates();
        long outOfOrder = flow.gaps();
        String failure = run.failure();
        if (failure == null && received == 0) {
            failure = "no message arrived";
        }
        long rejected = run.rejected();
        if (failure == null && rejected > 0) {
            failure = "the broker rejected " + rejected + " message(s), the first: " + run.firstRejection();
        }
        boolean verified = options.qos == 0 ? duplicated == 0 : lost == 0 && duplicated == 0 && outOfOrder == 0;
        boolean ok = failure == null && verified;

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("scenario", scenario.command());
        json.put("label", options.label);
        json.put("qos", options.qos);
        json.put("size", options.size);
        json.put("clients", options.clients(scenario));
        json.put("window", flow.window());
        json.put("protocol", options.protocol);
        if (options.protocol == Packets.MQTT_5) {
            json.put("receive_maximum", flow.receiveMaximum());
        }
        json.put("threads", options.threads());
        options.putTransport(json);
        json.put("warmup_s", options.warmup);
        json.put("duration_s", m.seconds());
        json.put("rate", options.rate);
        json.put("published", published);
        json.put("received", received);
        json.put("msgs_per_s", m.deliveriesPerSecond());
        json.put("publishes_per_s", m.publishesPerSecond());
        json.put("lost", lost);
        json.put("duplicated", duplicated);
        json.put("out_of_order", outOfOrder);
        json.put("rejected", rejected);
        json.put("drained", m.drained());
        json.put("foreign", flow.foreign());
        json.put("generator_cpu_cores", m.generatorCpuCores());
        if (options.brokerPid != null) {
            json.put("broker_cpu_cores", m.brokerCpuCores());
            json.put("broker_rss_kib", m.brokerRssKib());
        }
        StringBuilder human = new StringBuilder();
        human.append(String.format(Locale.ROOT, "%s qos=%d clients=%d size=%d mqtt=%s", scenario.command(),
                options.qos, options.clients(scenario), options.size, options.endpoint().protocolName()))
                .append(options.endpoint().front().summary());
        if (scenario == Scenario.LATENCY) {
            Histogram h = flow.latency();
            Map<String, Object> latency = new LinkedHashMap<>();
            latency.put("p50", h.getValueAtPercentile(50));
            latency.put("p90", h.getValueAtPercentile(90));
            latency.put("p99", h.getValueAtPercentile(99));
            latency.put("p999", h.getValueAtPercentile(99.9));
            latency.put("max", h.getMaxValue());
            latency.put("count", h.getTotalCount());
            json.put("latency_us", latency);
            human.append(String.format(Locale.ROOT, " rate=%s: p50=%s p90=%s p99=%s p99.9=%s max=%s us"
                            + " (%s round trips/s, count %s)",
                    Runs.count(options.rate), Runs.count(h.getValueAtPercentile(50)),
                    Runs.count(h.getValueAtPercentile(90)), Runs.count(h.getValueAtPercentile(99)),
                    Runs.count(h.getValueAtPercentile(99.9)), Runs.count(h.getMaxValue()),
                    Runs.count(m.deliveriesPerSecond()), Runs.count(h.getTotalCount())));
        } else {
            human.append(String.format(Locale.ROOT, ": %s msg/s (publishes %s/s)",
                    Runs.count(m.deliveriesPerSecond()), Runs.count(m.publishesPerSecond())));
        }
        human.append(String.format(Locale.ROOT, " lost=%d dup=%d ooo=%d", lost, duplicated, outOfOrder));
        if (options.protocol == Packets.MQTT_5) {
            human.append(" rejected=").append(rejected);
        }
        if (options.brokerPid != null) {
            human.append(String.format(Locale.ROOT, " [broker cpu %.2f core, rss %s KiB]", m.brokerCpuCores(),
                    Runs.count(m.brokerRssKib())));
        }
        json.put("ok", ok);
        if (failure != null) {
            json.put("error", failure);
            human.append(" FAILED: ").append(failure);
        } else if (!verified) {
            human.append(" FAILED: verification");
        }
        out.println(human);
        out.println(Json.object(json));
        out.flush();
        return ok ? 0 : 1;
    }
}
