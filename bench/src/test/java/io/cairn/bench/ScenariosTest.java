package io.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.cairn.api.auth.ListenerSecurity;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs every scenario for about a second against the embedded Cairn broker and checks what a user reads: the
 * JSON result, the verification and the exit code. Nothing here asserts a rate.
 */
class ScenariosTest {

    private static EmbeddedBroker broker;
    private static String port;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedBroker.builder()
                .transport(new TcpTransport("bench", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(new MemorySessionStore())
                .retainedStore(new MemoryRetainedStore())
                .start();
        port = String.valueOf(broker.listeners().get(0).port());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static BenchRun bench(String scenario, String... options) {
        List<String> args = new ArrayList<>(List.of(scenario, "--port", port, "--warmup", "0", "--duration", "1",
                "--drain", "10", "--threads", "2", "--label", "test " + scenario));
        args.addAll(List.of(options));
        return BenchRun.of(args.toArray(String[]::new));
    }

    private static void assertVerified(BenchRun run, String scenario, int qos, int clients) {
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonObject json = run.json();
        assertThat(json.get("scenario").getAsString()).isEqualTo(scenario);
        assertThat(json.get("label").getAsString()).isEqualTo("test " + scenario);
        assertThat(json.get("qos").getAsInt()).isEqualTo(qos);
        assertThat(json.get("clients").getAsInt()).isEqualTo(clients);
        assertThat(json.get("received").getAsLong()).as(run.toString()).isPositive();
        assertThat(json.get("published").getAsLong()).isPositive();
        assertThat(json.get("msgs_per_s").getAsDouble()).isPositive();
        assertThat(json.get("publishes_per_s").getAsDouble()).isPositive();
        assertThat(json.get("lost").getAsLong()).as(run.toString()).isZero();
        assertThat(json.get("duplicated").getAsLong()).as(run.toString()).isZero();
        assertThat(json.get("out_of_order").getAsLong()).as(run.toString()).isZero();
        assertThat(json.get("ok").getAsBoolean()).isTrue();
        assertThat(json.get("generator_cpu_cores").getAsDouble()).as("the tool's own CPU").isPositive();
        assertThat(run.lines().get(0)).startsWith(scenario + " qos=" + qos + " clients=" + clients)
                .contains("lost=0 dup=0 ooo=0");
    }

    @ParameterizedTest(name = "{0} QoS {1}, {2} clients")
    @CsvSource({
        "pair,   0, 2", "pair,   1, 2", "pair,   2, 2",
        "fanin,  0, 3", "fanin,  1, 3", "fanin,  2, 3",
        "fanout, 0, 3", "fanout, 1, 3", "fanout, 2, 3",
        "mesh,   0, 3", "mesh,   1, 3", "mesh,   2, 3"})
    @DisplayName("throughput scenarios deliver every message once and in order, and say so")
    void throughput(String scenario, int qos, int clients) {
        BenchRun run = bench(scenario, "--qos", String.valueOf(qos), "--clients", String.valueOf(clients));

        assertVerified(run, scenario, qos, clients);
        JsonObject json = run.json();
        if (scenario.equals("fanout")) {
            // every publish reaches all subscribers: deliveries are the publishes times the fan-out
            assertThat(json.get("received").getAsLong()).isEqualTo(json.get("published").getAsLong() * clients);
        } else if (scenario.equals("mesh")) {
            assertThat(json.get("received").getAsLong()).isEqualTo(json.get("published").getAsLong() * clients);
        } else {
            assertThat(json.get("received").getAsLong()).isEqualTo(json.get("published").getAsLong());
        }
    }

    @Test
    @DisplayName("a run at a capped rate sends no more than that rate allows, and MQTT 3.1 works")
    void cappedRateOverMqtt31() {
        BenchRun run = bench("pair", "--qos", "1", "--rate", "200", "--protocol", "3", "--size", "24");

        assertVerified(run, "pair", 1, 1);
        // one second measured, nothing sent before the start: at most the rate plus the first tick's message
        assertThat(run.json().get("published").getAsLong()).isBetween(1L, 200L * 2 + 1);
    }

    @ParameterizedTest(name = "QoS {0}, rate {1}")
    @CsvSource({"0, 0", "1, 0", "2, 0", "1, 400"})
    @DisplayName("latency reports percentiles of the round trips it counted")
    void latency(int qos, int rate) {
        BenchRun run = bench("latency", "--qos", String.valueOf(qos), "--clients", "2", "--rate",
                String.valueOf(rate));

        assertVerified(run, "latency", qos, 2);
        JsonObject latency = run.json().getAsJsonObject("latency_us");
        assertThat(latency.get("count").getAsLong()).isPositive();
        long p50 = latency.get("p50").getAsLong();
        long p90 = latency.get("p90").getAsLong();
        long p99 = latency.get("p99").getAsLong();
        long p999 = latency.get("p999").getAsLong();
        long max = latency.get("max").getAsLong();
        assertThat(p50).isLessThanOrEqualTo(p90);
        assertThat(p90).isLessThanOrEqualTo(p99);
        assertThat(p99).isLessThanOrEqualTo(p999);
        assertThat(p999).isLessThanOrEqualTo(max);
        assertThat(run.json().get("rate").getAsDouble()).isEqualTo(rate);
        assertThat(run.json().get("window").getAsInt()).isEqualTo(rate == 0 ? 1 : 256);
    }

    @Test
    @DisplayName("conns opens exactly N connections, the broker sees them all, and they are closed at the end")
    void conns() throws Exception {
        int n = 60;
        int before = broker.broker().clients().size();
        CompletableFuture<BenchRun> running = CompletableFuture.supplyAsync(() -> BenchRun.of("conns", "--port", port,
                "--clients", String.valueOf(n), "--sources", "3", "--connect-concurrency", "7", "--hold", "5", "--warmup", "0",
                "--keepalive", "2", "--threads", "2", "--broker-pid", String.valueOf(ProcessHandle.current().pid())));

        await("all connections seen by the broker").atMost(Duration.ofSeconds(30))
                .until(() -> broker.broker().clients().size() - before >= n);
        assertThat(broker.broker().clients()).filteredOn(c -> c.clientId().startsWith("cb")).hasSize(n)
                .extracting(c -> c.remoteAddress().replaceFirst(":\\d+$", ""))
                .containsOnly("127.0.0.1", "127.0.0.2", "127.0.0.3");
        BenchRun run = running.get(60, TimeUnit.SECONDS);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonObject json = run.json();
        assertThat(json.get("connections").getAsInt()).isEqualTo(n);
        assertThat(json.get("failed").getAsInt()).isZero();
        assertThat(json.get("connect_seconds").getAsDouble()).isPositive();
        assertThat(json.get("connects_per_s").getAsDouble()).isPositive();
        assertThat(json.get("rss_before_kib").getAsLong()).isPositive();
        assertThat(json.get("rss_after_kib").getAsLong()).isPositive();
        assertThat(json.has("rss_per_conn_kib")).isTrue();
        assertThat(json.get("ok").getAsBoolean()).isTrue();
        await("connections closed").atMost(Duration.ofSeconds(30))
                .until(() -> broker.broker().clients().size() == before);
    }

    @Test
    @DisplayName("conns warms up with waves of connections it closes again, then measures N")
    void connsWarmsUp() throws Exception {
        int before = broker.broker().clients().size();
        BenchRun run = BenchRun.of("conns", "--port", port, "--clients", "30", "--warmup", "1", "--hold", "0",
                "--threads", "2");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonObject json = run.json();
        assertThat(json.get("connections").getAsInt()).isEqualTo(30);
        assertThat(json.get("warmup_s").getAsDouble()).isEqualTo(1.0);
        long warmedUp = json.get("warmup_connections").getAsLong();
        assertThat(warmedUp).as("whole waves of 30").isPositive().isEqualTo(warmedUp / 30 * 30);
        assertThat(json.get("ok").getAsBoolean()).isTrue();
        await("every connection closed").atMost(Duration.ofSeconds(30))
                .until(() -> broker.broker().clients().size() == before);
    }

    @Test
    @DisplayName("conns --with-pair also reports a verified pair flow during the hold")
    void connsWithPair() {
        BenchRun run = BenchRun.of("conns", "--port", port, "--clients", "20", "--hold", "2", "--warmup", "0",
                "--with-pair", "--qos", "1", "--threads", "2");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonObject json = run.json();
        assertThat(json.get("connections").getAsInt()).isEqualTo(20);
        assertThat(json.get("pair_msgs_per_s").getAsDouble()).isPositive();
        assertThat(json.get("pair_lost").getAsLong()).isZero();
        assertThat(json.get("pair_duplicated").getAsLong()).isZero();
        assertThat(json.get("pair_out_of_order").getAsLong()).isZero();
    }

    @Test
    @DisplayName("--broker-pid adds the broker's CPU and memory to a throughput result")
    void brokerPid() {
        BenchRun run = bench("pair", "--broker-pid", String.valueOf(ProcessHandle.current().pid()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.json().get("broker_cpu_cores").getAsDouble()).isNotNegative();
        assertThat(run.json().get("broker_rss_kib").getAsLong()).isPositive();
        assertThat(run.lines().get(0)).contains("[broker cpu ");
    }
}
