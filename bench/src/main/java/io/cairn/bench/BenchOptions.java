package io.cairn.bench;

import picocli.CommandLine.Option;

/** The options every scenario accepts; {@link ScenarioCommand} checks them before a run. */
final class BenchOptions {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Broker host (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "1883", description = "Broker port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--clients", paramLabel = "N",
            description = "Pairs, publishers (fanin), subscribers (fanout), mesh clients or connections (conns)"
                    + " (default: 1; conns: 1000).")
    Integer clients;

    @Option(names = "--qos", defaultValue = "0", description = "QoS of publishes and subscriptions: 0, 1 or 2"
            + " (default: ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "64",
            description = "Payload size in bytes, at least " + Payload.HEADER_BYTES + " (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--window", paramLabel = "W", defaultValue = "256",
            description = "Messages each publisher may have outstanding end to end, 1..65535"
                    + " (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "3",
            description = "Seconds of load before measuring; conns: of opening and closing connections before"
                    + " the measured wave (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10",
            description = "Seconds measured (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "0",
            description = "Total messages per second over all publishers, at a fixed schedule; 0 = as fast as"
                    + " possible (latency: one ping outstanding per pair) (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--username", description = "CONNECT user name.")
    String username;

    @Option(names = "--password", description = "CONNECT password.")
    String password;

    @Option(names = "--protocol", defaultValue = "4",
            description = "3 = MQTT 3.1, 4 = MQTT 3.1.1, 5 = MQTT 5.0 (default: ${DEFAULT-VALUE}).")
    int protocol;

    @Option(names = "--keepalive", paramLabel = "SECONDS", defaultValue = "60",
            description = "Keep-alive in seconds, 0 = none (default: ${DEFAULT-VALUE}).")
    int keepAlive;

    @Option(names = "--threads", paramLabel = "T",
            description = "Event-loop threads (default: available processors).")
    Integer threads;

    @Option(names = "--drain", paramLabel = "SECONDS", defaultValue = "10",
            description = "Longest wait at the end for messages in flight (default: ${DEFAULT-VALUE}).")
    double drain;

    @Option(names = "--broker-pid", paramLabel = "P",
            description = "Broker process id: report its CPU use and resident memory from /proc.")
    Integer brokerPid;

    @Option(names = "--label", paramLabel = "TEXT", defaultValue = "",
            description = "Copied into the JSON result.")
    String label;

    @Option(names = "--sources", paramLabel = "K", defaultValue = "1",
            description = "conns: connect from 127.0.0.1 .. 127.0.0.K (default: ${DEFAULT-VALUE}).")
    int sources;

    @Option(names = "--hold", paramLabel = "SECONDS", defaultValue = "10",
            description = "conns: seconds to hold the connections open (default: ${DEFAULT-VALUE}).")
    double hold;

    @Option(names = "--with-pair",
            description = "conns: run one pair flow during the hold and report its rate.")
    boolean withPair;

    @Option(names = "--connect-concurrency", paramLabel = "C", defaultValue = "256",
            description = "conns: most CONNECTs waiting for CONNACK at once (default: ${DEFAULT-VALUE}).")
    int connectConcurrency;

    /** The number of clients, with the scenario's default. */
    int clients(Scenario scenario) {
        if (clients != null) {
            return clients;
        }
        return scenario == Scenario.CONNS ? 1000 : 1;
    }

    /** The number of event-loop threads. */
    int threads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** The connection settings. */
    Endpoint endpoint() {
        return new Endpoint(host, port, protocol, username, password, keepAlive);
    }

    /**
     * The first problem with these options for {@code scenario}, naming the option, or {@code null}.
     */
    String problem(Scenario scenario) {
        if (port < 1 || port > 65_535) {
            return "--port " + port + " is not a TCP port (1..65535)";
        }
        if (clients != null && clients < 1) {
            return "--clients " + clients + " must be at least 1";
        }
        if (qos < 0 || qos > 2) {
            return "--qos " + qos + " must be 0, 1 or 2";
        }
        if (size < Payload.HEADER_BYTES) {
            return "--size " + size + " is too small: the payload header needs " + Payload.HEADER_BYTES
                    + " bytes (publisher id, sequence, timestamp)";
        }
        if (size > FrameParser.MAX_REMAINING_LENGTH - 70_000) {
            return "--size " + size + " is larger than an MQTT packet can carry";
        }
        if (window < 1 || window > 65_535) {
            return "--window " + window + " must be between 1 and 65535";
        }
        if (warmup < 0 || Double.isNaN(warmup)) {
            return "--warmup " + warmup + " must not be negative";
        }
        if (!(duration > 0)) {
            return "--duration " + duration + " must be positive";
        }
        if (rate < 0 || Double.isNaN(rate)) {
            return "--rate " + rate + " must not be negative";
        }
        if (protocol != Packets.MQTT_3_1 && protocol != Packets.MQTT_3_1_1 && protocol != Packets.MQTT_5) {
            return "--protocol " + protocol + " must be 3 (MQTT 3.1), 4 (MQTT 3.1.1) or 5 (MQTT 5.0)";
        }
        if (keepAlive < 0 || keepAlive > 65_535) {
            return "--keepalive " + keepAlive + " must be between 0 and 65535";
        }
        if (threads != null && threads < 1) {
            return "--threads " + threads + " must be at least 1";
        }
        if (drain < 0 || Double.isNaN(drain)) {
            return "--drain " + drain + " must not be negative";
        }
        if (brokerPid != null && brokerPid < 1) {
            return "--broker-pid " + brokerPid + " is not a process id";
        }
        if (sources < 1 || sources > 254) {
            return "--sources " + sources + " must be between 1 and 254";
        }
        if (hold < 0 || Double.isNaN(hold)) {
            return "--hold " + hold + " must not be negative";
        }
        if (connectConcurrency < 1) {
            return "--connect-concurrency " + connectConcurrency + " must be at least 1";
        }
        if (password != null && username == null && protocol != Packets.MQTT_5) {
            return "--password needs --username below --protocol 5 (MQTT 3.1 and 3.1.1 send no password without a"
                    + " user name)";
        }
        if (scenario != Scenario.CONNS && (withPair || sources != 1)) {
            return (withPair ? "--with-pair" : "--sources") + " applies to the conns scenario only";
        }
        return null;
    }
}
