package io.cairn.bench;

import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** What the scenario runs share: run ids, the broker address, event-loop shutdown, number formatting. */
final class Runs {

    private Runs() {
    }

    /** A new non-zero run id. */
    static int newRunId() {
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt();
        } while (id == 0);
        return id;
    }

    /** The client id prefix of a run: short enough for MQTT 3.1's 23-character limit with role and index. */
    static String clientIdPrefix(int runId) {
        return String.format(Locale.ROOT, "cb%06x", runId & 0xffffff);
    }

    /**
     * The broker's address.
     *
     * @throws BenchException {@link BenchException#CONNECT_FAILED} if the host does not resolve
     */
    static InetSocketAddress remote(BenchOptions options) {
        InetSocketAddress address = new InetSocketAddress(options.host, options.port);
        if (address.isUnresolved()) {
            throw new BenchException(BenchException.CONNECT_FAILED, "could not connect to " + options.host + ":"
                    + options.port + ": unknown host");
        }
        return address;
    }

    /** The front of the run's connections for the log: {@code tcp}, or {@code tls (OPENSSL, CA file x.pem)}. */
    static String describe(BenchOptions options) {
        Front front = options.endpoint().front();
        if (front.tls() == null) {
            return front.transport();
        }
        return front.transport() + " (" + front.tls().provider() + ", "
                + (options.caFile != null ? "CA file " + options.caFile : "any certificate: --insecure") + ")";
    }

    /** Stops the event loops without a quiet period, waiting a bounded time. */
    static void shutdown(EventLoopGroup group) throws InterruptedException {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    /** {@code value} rounded with thousands separators: {@code 312,455}. */
    static String count(double value) {
        return String.format(Locale.ROOT, "%,d", Math.round(value));
    }
}
