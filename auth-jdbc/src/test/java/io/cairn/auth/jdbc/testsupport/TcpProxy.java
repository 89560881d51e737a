package io.cairn.auth.jdbc.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder on 127.0.0.1 in front of a database server, whose link can be cut (every connection closed,
 * the port no longer accepting) and restored on the same port: a database outage as a client sees it.
 */
public final class TcpProxy implements AutoCloseable {

    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile ServerSocket server;

    public TcpProxy(int target) throws IOException {
        this.target = target;
        ServerSocket first = bindBelowEphemeralRange();
        this.port = first.getLocalPort();
        accept(first);
    }

    public int port() {
        return port;
    }

    /** Closes every forwarded connection and the listening socket. */
    public synchronized void cut() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    /** Listens on the same port again. */
    public synchronized void restore() throws IOException {
        if (server == null) {
            accept(bind(port));
        }
    }

    @Override
    public void close() throws IOException {
        cut();
    }

    /**
     * A port under Linux's ephemeral range (32768 and up): while the link is cut, a client's reconnect attempt must
     * never be handed this port as its own local one (a TCP self-connect would look like a server).
     */
    private static ServerSocket bindBelowEphemeralRange() throws IOException {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                return bind(random.nextInt(20_000, 32_000));
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return socket;
    }

    private void accept(ServerSocket listening) {
        server = listening;
        Thread acceptor = new Thread(() -> {
            while (!listening.isClosed()) {
                try {
                    Socket client = listening.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(client);
                    sockets.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    return;
                }
            }
        }, "tcp-proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the link was cut, or one side closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }, "tcp-proxy-pump-" + port);
        thread.setDaemon(true);
        thread.start();
    }
}
