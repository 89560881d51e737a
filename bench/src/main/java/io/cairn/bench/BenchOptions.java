package io.cairn.bench;

import java.nio.file.Path;
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

    @Option(names = "--tls", description = "Connect over TLS (1.3 or 1.2). Needs --cafile or --insecure. Every"
            + " connection makes a full handshake: the tool keeps no TLS session to resume (no session id, no"
            + " ticket), so conns measures full TLS handshakes per second.")
    boolean tls;

    @Option(names = "--cafile", paramLabel = "PEM", description = "--tls: trust the CA certificates in this PEM"
            + " file; the broker's certificate must also name --host (or --sni).")
    Path caFile;

    @Option(names = "--insecure", description = "--tls without --cafile: accept any certificate for any name.")
    boolean insecure;

    @Option(names = "--tls-provider", paramLabel = "auto|jdk|openssl", defaultValue = "auto",
            description = "--tls: the client's TLS implementation; auto = OpenSSL (netty-tcnative-boringssl-static)"
                    + " when it loads, else the JDK's. The run's result names the one used (default: ${DEFAULT-VALUE}).")
    TlsClient.ProviderChoice tlsProvider;

    @Option(names = "--tls-protocol", paramLabel = "TLSv1.3|TLSv1.2",
            description = "--tls: allow only this protocol version (default: both).")
    String tlsProtocol;

    @Option(names = "--sni", paramLabel = "NAME", description = "--tls: the server name to send (SNI) and to check"
            + " the certificate against (default: --host when it is a name).")
    String sni;

    @Option(names = "--ws", paramLabel = "PATH", description = "MQTT over WebSocket on this path, e.g. /mqtt: binary"
            + " frames, subprotocol mqtt; with --tls it is wss.")
    String wsPath;

    @Option(names = "--persistent", description = "Persistent sessions, kept by the broker's store: clean session 0"
            + " (MQTT 5: Clean Start with a Session Expiry Interval of 300 s). Client ids are unique per run.")
    boolean persistent;

    @Option(names = "--sub-host", paramLabel = "HOST", description = "Subscribers connect to this host instead of"
            + " --host (pair, fanin, fanout): to measure a bridge, publish to one broker, subscribe at the other.")
    String subHost;

    @Option(names = "--sub-port", paramLabel = "PORT", description = "Subscribers connect to this port instead of"
            + " --port (pair, fanin, fanout).")
    Integer subPort;

    /** The Session Expiry Interval that {@code --persistent} asks for at MQTT 5. */
    static final long PERSISTENT_EXPIRY_SECONDS = 300;

    private Endpoint endpoint;
    private Endpoint subscriberEndpoint;

    /** Adds what the run's front was to its JSON result: transport, TLS provider and negotiated protocol. */
    void putTransport(java.util.Map<String, Object> json) {
        Front front = endpoint().front();
        json.put("transport", front.transport());
        if (front.tls() != null) {
            json.put("tls_provider", front.tls().provider());
            json.put("tls_protocol", front.negotiatedProtocols());
            json.put("tls_verified", front.tls().verifying());
        }
        if (wsPath != null) {
            json.put("ws_path", wsPath);
        }
        json.put("io", NettyTransport.name());
        json.put("persistent", persistent);
    }

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

    /**
     * The connection settings, made once: with {@code --tls} the run's one TLS context.
     *
     * @throws BenchException {@link BenchException#USAGE} if the TLS settings cannot be used
     */
    Endpoint endpoint() {
        if (endpoint == null) {
            endpoint = new Endpoint(host, port, protocol, username, password, keepAlive, Front.of(this),
                    persistent ? PERSISTENT_EXPIRY_SECONDS : 0);
        }
        return endpoint;
    }

    /** Where subscribers connect: {@link #endpoint()}, or {@code --sub-host}/{@code --sub-port} when given. */
    Endpoint subscriberEndpoint() {
        if (subHost == null && subPort == null) {
            return endpoint();
        }
        if (subscriberEndpoint == null) {
            Endpoint e = endpoint();
            subscriberEndpoint = new Endpoint(subHost != null ? subHost : host, subPort != null ? subPort : port,
                    e.protocolLevel(), e.username(), e.password(), e.keepAlive(), e.front(), e.sessionExpiry());
        }
        return subscriberEndpoint;
    }

    /**
     * The first problem with these options for {@code scenario}, naming the option, or {@code null}.
     */
    String problem(Scenario scenario) {
        if (port < 1 || port > 65_535) {
            return "--port " + port + " is not a TCP port (1..65535)";
        }
        if (subPort != null && (subPort < 1 || subPort > 65_535)) {
            return "--sub-port " + subPort + " is not a TCP port (1..65535)";
        }
        if ((subHost != null || subPort != null) && scenario != Scenario.PAIR && scenario != Scenario.FANIN
                && scenario != Scenario.FANOUT) {
            return "--sub-host/--sub-port apply to pair, fanin and fanout only, not " + scenario.command();
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
        String tlsProblem = tlsProblem();
        if (tlsProblem != null) {
            return tlsProblem;
        }
        if (wsPath != null && !wsPath.startsWith("/")) {
            return "--ws " + wsPath + " must be a path starting with /, e.g. --ws /mqtt";
        }
        if (scenario != Scenario.CONNS && (withPair || sources != 1)) {
            return (withPair ? "--with-pair" : "--sources") + " applies to the conns scenario only";
        }
        return null;
    }

    private String tlsProblem() {
        if (!tls) {
            String tlsOnly = caFile != null ? "--cafile" : insecure ? "--insecure" : tlsProtocol != null
                    ? "--tls-protocol" : sni != null ? "--sni" : tlsProvider != TlsClient.ProviderChoice.AUTO
                    ? "--tls-provider" : null;
            return tlsOnly == null ? null : tlsOnly + " applies with --tls only";
        }
        if (caFile == null && !insecure) {
            return "--tls needs --cafile PEM to check the broker's certificate, or --insecure to accept any"
                    + " certificate without checking it";
        }
        if (caFile != null && insecure) {
            return "--cafile and --insecure exclude each other: --insecure checks no certificate";
        }
        if (tlsProtocol != null && !tlsProtocol.equals("TLSv1.3") && !tlsProtocol.equals("TLSv1.2")) {
            return "--tls-protocol " + tlsProtocol + " must be TLSv1.3 or TLSv1.2";
        }
        if (sni != null && (sni.isBlank() || sni.matches("[0-9.]+") || sni.contains(":"))) {
            return "--sni " + sni + " must be a host name, not an address";
        }
        return null;
    }
}
