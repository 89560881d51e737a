package io.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.cairn.api.auth.ListenerSecurity;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The scenarios at {@code --protocol 5} for about a second against the embedded Cairn broker: every message
 * verified as at 3.1.1, the protocol in both result lines, and the limits an MQTT 5 broker announces honoured.
 * Nothing here asserts a rate.
 */
class Protocol5ScenariosTest {

    /** The Receive Maximum of the second broker, far below the default window of 256. */
    private static final int RECEIVE_MAXIMUM = 4;

    private static EmbeddedBroker broker;
    private static EmbeddedBroker limited;

    @BeforeAll
    static void startBrokers() throws Exception {
        broker = start(BrokerSettings.defaults());
        limited = start(BrokerSettings.builder().receiveMaximum(RECEIVE_MAXIMUM).build());
    }

    private static EmbeddedBroker start(BrokerSettings settings) throws Exception {
        return EmbeddedBroker.builder()
                .settings(settings)
                .transport(new TcpTransport("bench", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(new MemorySessionStore())
                .retainedStore(new MemoryRetainedStore())
                .start();
    }

    @AfterAll
    static void stopBrokers() {
        for (EmbeddedBroker b : new EmbeddedBroker[] {broker, limited}) {
            if (b != null) {
                b.close();
            }
        }
    }

    private static String port(EmbeddedBroker b) {
        return String.valueOf(b.listeners().get(0).port());
    }

    private static BenchRun bench(EmbeddedBroker b, String scenario, String... options) {
        List<String> args = new ArrayList<>(List.of(scenario, "--port", port(b), "--protocol", "5", "--warmup", "0",
                "--duration", "1", "--drain", "10", "--threads", "2"));
        args.addAll(List.of(options));
        return BenchRun.of(args.toArray(String[]::new));
    }

    private static void assertVerified(BenchRun run, String scenario, int qos, int clients) {
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonObject json = run.json();
        assertThat(json.get("protocol").getAsInt()).isEqualTo(5);
        assertThat(json.get("qos").getAsInt()).isEqualTo(qos);
        assertThat(json.get("received").getAsLong()).as(run.toString()).isPositive();
        assertThat(json.get("lost").getAsLong()).as(run.toString()).isZero();
        assertThat(json.get("duplicated").getAsLong()).as(run.toString()).isZero();
        assertThat(json.get("out_of_order").getAsLong()).as(run.toString()).isZero();
        assertThat(json.get("rejected").getAsLong()).as(run.toString()).isZero();
        assertThat(json.get("receive_maximum").getAsInt()).as("not announced: the default").isEqualTo(65_535);
        assertThat(json.get("ok").getAsBoolean()).isTrue();
        assertThat(run.lines().get(0)).startsWith(scenario + " qos=" + qos + " clients=" + clients + " size=64 mqtt=5")
                .contains("lost=0 dup=0 ooo=0 rejected=0");
    }

    @ParameterizedTest(name = "{0} QoS {1}, {2} clients")
    @CsvSource({
        "pair,   0, 2", "pair,   1, 2", "pair,   2, 2",
        "fanin,  1, 3", "fanout, 2, 3", "mesh,   1, 3"})
    @DisplayName("at MQTT 5 the throughput scenarios deliver every message once and in order, and say so")
    void throughput(String scenario, int qos, int clients) {
        BenchRun run = bench(broker, scenario, "--qos", String.valueOf(qos), "--clients", String.valueOf(clients));

        assertVerified(run, scenario, qos, clients);
        JsonObject json = run.json();
        int perPublish = scenario.equals("fanout") || scenario.equals("mesh") ? clients : 1;
        assertThat(json.get("received").getAsLong()).isEqualTo(json.get("published").getAsLong() * perPublish);
        assertThat(json.get("window").getAsInt()).isEqualTo(256);
    }

    @Test
    @DisplayName("at MQTT 5 latency pairs answer every ping with a pong at QoS 2")
    void latency() {
        BenchRun run = bench(broker, "latency", "--qos", "2", "--clients", "2", "--rate", "400");

        assertVerified(run, "latency", 2, 2);
        assertThat(run.json().getAsJsonObject("latency_us").get("count").getAsLong()).isPositive();
    }

    @Test
    @DisplayName("conns at MQTT 5 opens every connection and runs a verified pair during the hold")
    void conns() {
        BenchRun run = BenchRun.of("conns", "--port", port(broker), "--protocol", "5", "--clients", "20", "--hold",
                "1", "--warmup", "0", "--with-pair", "--qos", "1", "--threads", "2");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonObject json = run.json();
        assertThat(json.get("protocol").getAsInt()).isEqualTo(5);
        assertThat(json.get("connections").getAsInt()).isEqualTo(20);
        assertThat(json.get("pair_msgs_per_s").getAsDouble()).isPositive();
        assertThat(json.get("pair_lost").getAsLong()).isZero();
        assertThat(json.get("pair_rejected").getAsLong()).isZero();
        assertThat(run.lines().get(0)).startsWith("conns clients=20 sources=1 mqtt=5:");
    }

    @Test
    @DisplayName("a broker announcing Receive Maximum 4 gets at most 4 QoS 2 messages in flight: the window is"
            + " lowered, and the run verifies instead of being disconnected")
    void receiveMaximumLowersTheWindow() {
        BenchRun run = bench(limited, "pair", "--qos", "2", "--window", "64");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonObject json = run.json();
        assertThat(json.get("receive_maximum").getAsInt()).isEqualTo(RECEIVE_MAXIMUM);
        assertThat(json.get("window").getAsInt()).isEqualTo(RECEIVE_MAXIMUM);
        assertThat(json.get("received").getAsLong()).isPositive();
        assertThat(json.get("lost").getAsLong()).isZero();
        assertThat(json.get("ok").getAsBoolean()).isTrue();
    }
}
