package io.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Exit code 2 for usage errors and 3 when the broker cannot be reached or refuses, with a message that says why. */
class ExitCodesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "pair --size 10             | --size 10",
        "pair --qos 3               | --qos 3",
        "fanin --window 0           | --window 0",
        "pair --window 70000        | --window 70000",
        "mesh --clients 0           | --clients 0",
        "latency --rate -5          | --rate -5",
        "pair --protocol 6          | --protocol 6",
        "pair --duration 0          | --duration 0",
        "conns --sources 300        | --sources 300",
        "pair --with-pair           | --with-pair",
        "pair --password secret     | --password",
        "pair --port 70000          | --port 70000",
        "pair --size many           | --size",
        "pair --bogus               | --bogus",
        "burst                      | burst"})
    @DisplayName("a bad option or scenario exits with 2 and names it")
    void usageErrors(String commandLine, String named) {
        BenchRun run = BenchRun.of(commandLine.trim().split("\\s+"));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains(named.trim());
        assertThat(run.out()).doesNotContain("{");
    }

    @Test
    @DisplayName("no scenario exits with 2 and lists the scenarios")
    void missingScenario() {
        BenchRun run = BenchRun.of();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("pair", "fanin", "fanout", "mesh", "latency", "conns");
    }

    @Test
    @DisplayName("nothing listening: exits with 3 naming host:port and 'connection refused'")
    void connectionRefused() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }

        BenchRun run = BenchRun.of("pair", "--port", String.valueOf(port), "--duration", "1", "--threads", "1");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(run.err()).contains("127.0.0.1:" + port).contains("connection refused");
    }

    @ParameterizedTest(name = "protocol {0}")
    @CsvSource(delimiter = '|', value = {
        "4 | CONNACK return code 5 (not authorized)",
        "5 | CONNACK reason code 0x87 (not authorized)"})
    @DisplayName("a broker refusing CONNECT: exits with 3 naming host:port and the CONNACK return or reason code")
    void connackRefused(int protocol, String reported) throws Exception {
        // a stand-in broker that answers every CONNECT with "not authorized" and closes
        byte[] connack = protocol == 5
                ? new byte[] {0x20, 0x03, 0x00, (byte) 0x87, 0x00}  // CONNACK, remaining 3, no session, 0x87, no properties
                : new byte[] {0x20, 0x02, 0x00, 0x05};             // CONNACK, remaining 2, no session, code 5
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        CompletableFuture<Void> refusing = CompletableFuture.runAsync(() -> refuseAll(server, connack));
        int port = server.getLocalPort();
        BenchRun run;
        try {
            run = BenchRun.of("pair", "--port", String.valueOf(port), "--duration", "1", "--threads", "1",
                    "--username", "u", "--password", "p", "--protocol", String.valueOf(protocol));
        } finally {
            server.close();
        }
        refusing.get(10, TimeUnit.SECONDS);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(run.err()).contains("127.0.0.1:" + port).contains(reported);
    }

    private static void refuseAll(ServerSocket server, byte[] connack) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                if (in.read() != 0x10) {
                    continue;
                }
                OutputStream out = s.getOutputStream();
                out.write(connack);
                out.flush();
                s.shutdownOutput();
                while (in.read() >= 0) {
                    // until the client closes
                }
            } catch (IOException e) {
                // closed by the test, or the client went away
            }
        }
    }
}
