package io.cairn.distribution;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of a start: what the runtime runs, how long it took, and what did not come up.
 *
 * @param identity  the distribution the runtime folder is
 * @param version   the broker's version, or {@code unknown} when the broker service never appeared
 * @param plugins   the bundles installed from {@code deploy/}, as {@code <symbolic name> <version>}, sorted
 * @param listeners the listeners open, as URIs
 * @param took      from the launch to this outcome
 * @param problems  what was still not up when the wait ended, one line each; empty when ready
 */
public record Startup(Identity identity, String version, List<String> plugins, List<String> listeners,
                      Duration took, List<String> problems) {

    public Startup {
        plugins = List.copyOf(plugins);
        listeners = List.copyOf(listeners);
        problems = List.copyOf(problems);
    }

    /** Whether everything came up. */
    public boolean ready() {
        return problems.isEmpty();
    }

    /**
     * The line the launcher logs: the distribution's title and version (and the broker's, when the distribution
     * has a version of its own), the counts, the time, the listeners and the plugins with their versions, for
     * example {@code Cairn 0.1.0 ready (2 plugins, 1 listener) in 1.4 s; listeners: mqtt://127.0.0.1:1883;
     * plugins: io.cairn.persistence.mem 0.1.0, io.cairn.transport.tcp 0.1.0}. When something did not come up, it
     * says {@code started with problems} and ends with them.
     */
    public String summary() {
        String counts = plural(plugins.size(), "plugin") + ", " + plural(listeners.size(), "listener");
        String seconds = String.format(Locale.ROOT, "%.1f s", took.toMillis() / 1000.0);
        String what = "listeners: " + list(listeners) + "; plugins: " + list(plugins);
        return ready()
                ? name() + " ready (" + counts + ") in " + seconds + "; " + what
                : name() + " started with problems (" + counts + ") after " + seconds + "; " + what + "; problems: "
                        + String.join("; ", problems);
    }

    /** The distribution's title and version, with the broker's when they differ. */
    private String name() {
        String ownVersion = identity.version() == null ? version : identity.version();
        boolean differs = identity.version() != null && !identity.version().equals(version)
                && !"unknown".equals(version);
        return identity.title() + ' ' + ownVersion + (differs ? " (Cairn " + version + ")" : "");
    }

    private static String list(List<String> items) {
        return items.isEmpty() ? "none" : String.join(", ", items);
    }

    private static String plural(int count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }
}
