package io.cairn.distribution;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of a start: what the runtime runs, how long it took, and what did not come up.
 *
 * @param version   the broker's version, or {@code unknown} when the broker service never appeared
 * @param plugins   the bundles installed from {@code deploy/}
 * @param listeners the listeners open, as URIs
 * @param took      from the launch to this outcome
 * @param problems  what was still not up when the wait ended, one line each; empty when ready
 */
public record Startup(String version, int plugins, List<String> listeners, Duration took, List<String> problems) {

    public Startup {
        listeners = List.copyOf(listeners);
        problems = List.copyOf(problems);
    }

    /** Whether everything came up. */
    public boolean ready() {
        return problems.isEmpty();
    }

    /** The line the launcher prints, for example {@code Cairn 0.1.0 ready (2 plugins, 1 listener) in 1.4 s}. */
    public String summary() {
        String counts = plural(plugins, "plugin") + ", " + plural(listeners.size(), "listener");
        String seconds = String.format(java.util.Locale.ROOT, "%.1f s", took.toMillis() / 1000.0);
        return ready()
                ? "Cairn " + version + " ready (" + counts + ") in " + seconds
                : "Cairn " + version + " started with problems (" + counts + ") after " + seconds + ": "
                        + String.join("; ", problems);
    }

    private static String plural(int count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }
}
