package io.cairn.transport.tcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Loopback socket helpers for transport tests. */
public final class Sockets {

    private static final int TIMEOUT_MS = 5_000;

    private Sockets() {
    }

    /** A client connection to the fake kernel pipeline: reads its greeting line and exchanges echoed lines. */
    public static final class Client implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;

        Client(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        }

        /** Reads one line sent by the server. */
        public String readLine() throws IOException {
            return in.readLine();
        }

        /** Sends one line and returns the line the server answers with. */
        public String echo(String line) throws IOException {
            socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Connects to {@code 127.0.0.1:port} with a bounded connect and read timeout. */
    public static Client connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            return new Client(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Whether something accepts connections on {@code 127.0.0.1:port} now. */
    public static boolean isOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits, at most 5 s, until nothing accepts connections on {@code 127.0.0.1:port}. On the NIO transport the
     * operating system closes a listening socket when its event loop next polls, a moment after the close
     * completed, so tests observe the port instead of assuming it.
     */
    public static void awaitClosed(int port) {
        org.awaitility.Awaitility.await("port " + port + " closed").atMost(java.time.Duration.ofSeconds(5))
                .pollInterval(java.time.Duration.ofMillis(20)).until(() -> !isOpen(port));
    }

    /** A port that was free a moment ago on the loopback interface. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
