package io.cairn.distribution;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;

/**
 * A running Cairn runtime: the framework started from a runtime folder by {@link Main#launch}. Thread-safe.
 */
public final class Cairn implements AutoCloseable {

    private final Path home;
    private final Framework framework;
    private final RuntimeLog log;
    private final Readiness readiness;
    private final long launchedNanos;
    private final Handler[] previousJulHandlers;
    private final Handler julForwarder;
    private final Identity identity;

    Cairn(Path home, Identity identity, Framework framework, RuntimeLog log, Map<Long, String> bundleErrors,
          long launchedNanos, Handler[] previousJulHandlers, Handler julForwarder) {
        this.home = home;
        this.identity = identity;
        this.framework = framework;
        this.log = log;
        this.readiness = new Readiness(home, framework.getBundleContext(), bundleErrors);
        this.launchedNanos = launchedNanos;
        this.previousJulHandlers = previousJulHandlers;
        this.julForwarder = julForwarder;
    }

    /** The runtime folder. */
    public Path home() {
        return home;
    }

    /** The distribution the runtime folder is ({@link Identity#PLAIN} when it does not say). */
    public Identity identity() {
        return identity;
    }

    /** The OSGi framework, started. */
    public Framework framework() {
        return framework;
    }

    /**
     * Waits until the runtime is up (see {@link #pending()}) or {@code timeout} has passed, and tells what came up.
     * Does not log: {@link Main} logs the summary.
     */
    public Startup awaitStartup(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> pending = readiness.pending();
        while (!pending.isEmpty() && System.nanoTime() - deadline < 0) {
            TimeUnit.MILLISECONDS.sleep(100);
            pending = readiness.pending();
        }
        if (!pending.isEmpty()) {
            // name the resolver's reason for bundles that never started
            List<String> diagnosed = readiness.bundleProblems(true);
            pending = pending.stream()
                    .map(line -> diagnosed.stream().filter(d -> d.startsWith(line)).findFirst().orElse(line))
                    .toList();
        }
        return new Startup(identity, readiness.version(), readiness.plugins(), readiness.listeners(),
                Duration.ofNanos(System.nanoTime() - launchedNanos), pending);
    }

    /**
     * What is not up now, one line each: bundles neither active nor resolved fragments, {@code deploy/} jars not
     * installed, {@code etc/*.cfg} files not applied or not taken by their component, a missing broker service.
     */
    public List<String> pending() {
        return readiness.pending();
    }

    /** Bundles that are neither active nor resolved fragments, each with the resolver's message. */
    public List<String> bundleProblems() {
        return readiness.bundleProblems(true);
    }

    /** The listeners the broker has open now, as URIs. */
    public List<String> listeners() {
        return readiness.listeners();
    }

    /**
     * Stops the framework and waits at most {@code timeout} for it.
     *
     * @return whether the framework stopped in time
     */
    public boolean stop(Duration timeout) {
        try {
            if ((framework.getState() & (org.osgi.framework.Bundle.STARTING | org.osgi.framework.Bundle.ACTIVE)) != 0) {
                log.info("Cairn stopping");
                framework.stop();
            }
            FrameworkEvent event = framework.waitForStop(Math.max(1, timeout.toMillis()));
            return event.getType() != FrameworkEvent.WAIT_TIMEDOUT;
        } catch (BundleException e) {
            log.error("Cairn could not stop the framework", e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            log.detach();
            restoreJul();
        }
    }

    /** Waits until the framework has stopped, however it was stopped. */
    void awaitStopped() throws InterruptedException {
        framework.waitForStop(0);
    }

    RuntimeLog log() {
        return log;
    }

    private void restoreJul() {
        Logger root = Logger.getLogger("");
        root.removeHandler(julForwarder);
        for (Handler handler : previousJulHandlers) {
            boolean present = false;
            for (Handler current : root.getHandlers()) {
                present |= current == handler;
            }
            if (!present) {
                root.addHandler(handler);
            }
        }
    }

    /** Stops the framework, waiting at most 30 s. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }
}
