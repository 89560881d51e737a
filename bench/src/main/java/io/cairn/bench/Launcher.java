package io.cairn.bench;

import io.netty.bootstrap.Bootstrap;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Opens a list of connections with at most {@code concurrency} handshakes (TCP connect to CONNACK/SUBACK)
 * pending at once; the next one starts when one finishes, either way. Every handshake is bounded by the
 * connect and handshake timeouts, so {@link #await} returns. Thread-safe.
 */
final class Launcher {

    private final Bootstrap bootstrap;
    private final SocketAddress remote;
    private final List<MqttConnection> connections;
    private final IntFunction<SocketAddress> localAddress;
    private final int concurrency;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicLong lastReadyAt = new AtomicLong();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final CountDownLatch finished;
    private volatile long startedAt;

    /**
     * @param localAddress the address connection {@code i} binds to, or {@code null} for any
     */
    Launcher(Bootstrap bootstrap, SocketAddress remote, List<MqttConnection> connections,
             IntFunction<SocketAddress> localAddress, int concurrency) {
        this.bootstrap = bootstrap;
        this.remote = remote;
        this.connections = connections;
        this.localAddress = localAddress;
        this.concurrency = concurrency;
        this.finished = new CountDownLatch(connections.size());
    }

    /** Starts the first handshakes. */
    void start() {
        startedAt = System.nanoTime();
        int first = Math.min(concurrency, connections.size());
        for (int i = 0; i < first; i++) {
            launchNext();
        }
    }

    private void launchNext() {
        int i = next.getAndIncrement();
        if (i >= connections.size()) {
            return;
        }
        MqttConnection connection = connections.get(i);
        connection.ready().whenComplete((c, error) -> {
            if (error == null) {
                lastReadyAt.accumulateAndGet(System.nanoTime(), Math::max);
            } else {
                failed.incrementAndGet();
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                firstFailure.compareAndSet(null, cause.getMessage());
            }
            finished.countDown();
            launchNext();
        });
        connection.connect(bootstrap, addressOf(connection), localAddress.apply(i));
    }

    /** The run's address, or the connection's own when its endpoint names another broker (--sub-port). */
    private SocketAddress addressOf(MqttConnection connection) {
        Endpoint e = connection.endpoint();
        if (remote instanceof InetSocketAddress r && r.getPort() == e.port()
                && (r.getHostString().equals(e.host()) || r.getAddress() != null
                && r.getAddress().getHostAddress().equals(e.host()))) {
            return remote;
        }
        return new InetSocketAddress(e.host(), e.port());
    }

    /**
     * Waits until every handshake finished, at most long enough for every wave of handshakes to time out.
     *
     * @return {@code true} if all finished (successfully or not)
     */
    boolean await() throws InterruptedException {
        long waves = (connections.size() + concurrency - 1) / concurrency;
        long perWave = NettyTransport.CONNECT_TIMEOUT_MILLIS + MqttConnection.HANDSHAKE_TIMEOUT_MILLIS;
        return finished.await(waves * perWave + 5_000, TimeUnit.MILLISECONDS);
    }

    /** Handshakes that failed (refused, timed out, CONNACK or SUBACK failure). */
    int failed() {
        return failed.get();
    }

    /** Handshakes that succeeded. */
    int connected() {
        return connections.size() - (int) finished.getCount() - failed.get();
    }

    /** The reason of the first failure, or {@code null}. */
    String firstFailure() {
        return firstFailure.get();
    }

    /** Seconds from the first connect to the last accepted handshake (0 if none was). */
    double seconds() {
        long last = lastReadyAt.get();
        return last == 0 ? 0 : (last - startedAt) / 1e9;
    }
}
