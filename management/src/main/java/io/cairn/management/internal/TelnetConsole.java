package io.cairn.management.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gogo shell over a plain telnet connection on {@code 127.0.0.1}, opt-in: off unless
 * {@code etc/io.cairn.management.cfg} sets {@code telnetPort}. There is no authentication on it, so it listens on
 * the loopback address only and never elsewhere (reach it from another machine through an SSH tunnel). Each
 * connection gets its own shell session ({@code gosh --login --noshutdown}: leaving it with {@code exit} or by
 * closing the connection does not stop the broker); at most {@value #MAX_SESSIONS} at a time. Sessions opened
 * and closed are logged on {@code event.shell}.
 */
@Component(service = {}, configurationPid = TelnetConsole.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class TelnetConsole {

    static final String PID = "io.cairn.management";
    static final String PORT = "telnetPort";
    static final int MAX_SESSIONS = 8;

    private static final Logger LOG = LoggerFactory.getLogger(TelnetConsole.class);
    private static final Logger EVENTS = LoggerFactory.getLogger("event.shell");

    private final CommandProcessor processor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;

    @Activate
    public TelnetConsole(@Reference CommandProcessor processor, Map<String, Object> properties) {
        this.processor = processor;
        int port;
        try {
            port = port(properties);
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid management configuration {}: key {}: {}; the telnet console stays off",
                    source(properties), PORT, e.getMessage());
            return;
        }
        if (port == 0) {
            return;
        }
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), MAX_SESSIONS);
            server = socket;
        } catch (IOException e) {
            LOG.error("The telnet console could not listen on 127.0.0.1:{} ({}): it stays off", port, e.getMessage());
            return;
        }
        Thread acceptor = new Thread(this::accept, "cairn-telnet-console");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("Telnet console (Gogo shell) on 127.0.0.1:{}", server.getLocalPort());
    }

    /** The port the console listens on, or 0 when it is off. */
    int port() {
        ServerSocket socket = server;
        return socket == null ? 0 : socket.getLocalPort();
    }

    @Deactivate
    void deactivate() {
        ServerSocket socket = server;
        server = null;
        if (socket != null) {
            closeQuietly(socket);
        }
        for (Socket connection : open) {
            closeQuietly(connection);
        }
    }

    private void accept() {
        ServerSocket socket = server;
        while (socket != null && !socket.isClosed()) {
            Socket connection;
            try {
                connection = socket.accept();
            } catch (IOException closed) {
                return;
            }
            if (open.size() >= MAX_SESSIONS) {
                refuse(connection);
                continue;
            }
            open.add(connection);
            Thread session = new Thread(() -> serve(connection), "cairn-telnet-session");
            session.setDaemon(true);
            session.start();
        }
    }

    private void serve(Socket connection) {
        String peer = String.valueOf(connection.getRemoteSocketAddress());
        EVENTS.info("telnet shell session opened from {}", peer);
        try (connection; InputStream in = connection.getInputStream();
             OutputStream raw = connection.getOutputStream();
             PrintStream out = new PrintStream(raw, true, StandardCharsets.UTF_8)) {
            CommandSession session = processor.createSession(in, out, out);
            try {
                session.execute("gosh --login --noshutdown");
            } finally {
                session.close();
            }
        } catch (SocketException closed) {
            // the client went away, or the console was stopped
        } catch (Exception e) {
            LOG.warn("Telnet shell session from {} ended with an error: {}", peer, e.toString());
        } finally {
            open.remove(connection);
            EVENTS.info("telnet shell session from {} closed", peer);
        }
    }

    private static void refuse(Socket connection) {
        try (connection; OutputStream out = connection.getOutputStream()) {
            out.write(("too many shell sessions (" + MAX_SESSIONS + "); try again later\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // it is closed either way
        }
    }

    static int port(Map<String, ?> properties) {
        Object value = properties.get(PORT);
        if (value == null) {
            return 0;
        }
        String text = value.toString().strip();
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a port number (0 for off, 1 to 65535)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "' is not a port number (0 for off, 1 to 65535)");
        }
        return port;
    }

    private static String source(Map<String, ?> properties) {
        Object file = properties.get("felix.fileinstall.filename");
        if (file != null) {
            String f = file.toString();
            return f.startsWith("file:") ? f.substring(5) : f;
        }
        Object pid = properties.get("service.pid");
        return pid != null ? "PID " + pid : "(no file)";
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
