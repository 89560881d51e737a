package io.cairn.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Starts the Cairn runtime from a runtime folder: an OSGi framework (found through {@link ServiceLoader}, so only
 * its jar is needed on the class path) with the bundles of {@code system/<start level>/}, FileInstall watching
 * {@code etc/} for configuration files and {@code deploy/} for plugin bundles.
 *
 * <p>Usage: {@code java -Dcairn.home=<folder> -cp 'lib/*' io.cairn.distribution.Main}; {@code bin/cairn} does
 * this. The process prints the distribution's banner, starts the runtime, logs one ready line (or what did not
 * come up) and writes it to {@code data/cairn.startup}, and runs until it receives SIGINT or SIGTERM; then it
 * stops the framework, waiting at most {@code cairn.shutdown.timeout} seconds (default 30). Exit codes:
 * {@value #EXIT_STOPPED} stopped cleanly, {@value #EXIT_STOP_TIMEOUT} the framework did not stop in time,
 * {@value #EXIT_USAGE} a bad command line, {@value #EXIT_NOT_A_RUNTIME} the folder is not a runtime folder,
 * {@value #EXIT_START_FAILED} the runtime could not start (the framework or a system bundle failed).
 */
public final class Main {

    /** System property: the runtime folder; the working directory when absent. */
    public static final String HOME = "cairn.home";
    /** System property: seconds to wait for the runtime to come up before reporting what did not (default 60). */
    public static final String STARTUP_TIMEOUT = "cairn.startup.timeout";
    /** System property: {@code true} to read shell commands from standard input (the Gogo console). */
    public static final String CONSOLE = "cairn.console";
    /** System property: seconds to wait for the framework to stop on shutdown (default 30). */
    public static final String SHUTDOWN_TIMEOUT = "cairn.shutdown.timeout";
    /**
     * The outcome of the start, relative to the runtime folder: {@code ready} or {@code problems} on the first
     * line, the ready line on the second. Removed at launch, so {@code bin/cairn -d} can wait for it.
     */
    public static final String STARTUP_FILE = "data/cairn.startup";

    /** Exit code: the runtime stopped cleanly (on SIGINT or SIGTERM, or stopped from inside). */
    public static final int EXIT_STOPPED = 0;
    /** Exit code: the framework did not stop within {@code cairn.shutdown.timeout}. */
    public static final int EXIT_STOP_TIMEOUT = 1;
    /** Exit code: the command line was wrong. */
    public static final int EXIT_USAGE = 2;
    /** Exit code: {@code cairn.home} is not a runtime folder (it has no {@code system/}). */
    public static final int EXIT_NOT_A_RUNTIME = 6;
    /** Exit code: the runtime could not start: the framework, a system bundle or the identity file failed. */
    public static final int EXIT_START_FAILED = 7;

    private static final int FIRST_LEVEL_OF_PLUGINS = 2;

    private Main() {
    }

    /** Starts the runtime in {@code cairn.home} and runs until the process is told to stop. */
    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            System.err.println("Usage: java -Dcairn.home=<runtime folder> -cp '<runtime folder>/lib/*' "
                    + Main.class.getName() + " (bin/cairn does this)");
            System.exit(EXIT_USAGE);
        }
        Path home = Path.of(System.getProperty(HOME, ".")).toAbsolutePath().normalize();
        if (!Files.isDirectory(home.resolve("system"))) {
            System.err.println("Cairn cannot start: " + home + " is not a Cairn runtime folder (it has no system/ "
                    + "folder)");
            System.exit(EXIT_NOT_A_RUNTIME);
        }
        Path startupFile = home.resolve(STARTUP_FILE);
        Cairn cairn;
        try {
            Files.deleteIfExists(startupFile);
            String banner = Identity.read(home).bannerText();
            if (banner != null) {
                System.out.println(banner);
                System.out.flush();
            }
            cairn = launch(home, Map.of());
        } catch (Exception e) {
            StringBuilder reasons = new StringBuilder(String.valueOf(e.getMessage()));
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                reasons.append(": ").append(cause);
            }
            System.err.println("Cairn could not start from " + home + ": " + reasons);
            if (!(e instanceof BundleException || e instanceof IOException)) {
                e.printStackTrace(); // not a problem of the runtime folder: a bug, which needs the trace
            }
            System.exit(EXIT_START_FAILED);
            return;
        }
        AtomicBoolean hookRunning = new AtomicBoolean();
        Duration shutdownTimeout = Duration.ofSeconds(Long.getLong(SHUTDOWN_TIMEOUT, 30));
        Thread hook = new Thread(() -> {
            hookRunning.set(true);
            long started = System.nanoTime();
            boolean stopped = cairn.stop(shutdownTimeout);
            String seconds = String.format(java.util.Locale.ROOT, "%.1f",
                    (System.nanoTime() - started) / 1_000_000_000.0);
            forget(cairn.home());
            if (stopped) {
                System.out.println("Cairn stopped in " + seconds + " s");
            } else {
                System.err.println("Cairn did not stop within " + shutdownTimeout.toSeconds() + " s; exiting anyway");
            }
            System.out.flush();
            // a clean stop on SIGTERM/SIGINT is a successful exit (the JVM would report 143/130)
            Runtime.getRuntime().halt(stopped ? EXIT_STOPPED : EXIT_STOP_TIMEOUT);
        }, "cairn-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        Startup startup = cairn.awaitStartup(Duration.ofSeconds(Long.getLong(STARTUP_TIMEOUT, 60)));
        if (startup.ready()) {
            cairn.log().info(startup.summary());
        } else {
            cairn.log().error(startup.summary(), null);
        }
        try {
            // whole or not at all: bin/cairn -d reads it as soon as it appears
            Path written = Files.writeString(cairn.home().resolve(STARTUP_FILE + ".tmp"),
                    (startup.ready() ? "ready" : "problems") + "\n" + startup.summary() + "\n");
            Files.move(written, cairn.home().resolve(STARTUP_FILE), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            cairn.log().warn("cannot write " + STARTUP_FILE + ": " + e);
        }
        cairn.awaitStopped();
        if (!hookRunning.get()) {
            // stopped from inside (a bundle stopped the system bundle): exit, which runs the hook
            System.exit(EXIT_STOPPED);
        }
    }

    /**
     * Removes what says this process runs: {@code data/cairn.startup}, and {@code data/cairn.pid} when it holds
     * this process's id ({@code bin/cairn} writes it).
     */
    private static void forget(Path home) {
        try {
            Files.deleteIfExists(home.resolve(STARTUP_FILE));
            Path pidFile = home.resolve("data").resolve("cairn.pid");
            if (Files.isRegularFile(pidFile)
                    && Files.readString(pidFile).strip().equals(String.valueOf(ProcessHandle.current().pid()))) {
                Files.delete(pidFile);
            }
        } catch (IOException e) {
            // bin/cairn checks that the pid is this runtime's before trusting it
        }
    }

    /**
     * Starts the runtime in {@code home} and returns at once; {@link Cairn#awaitStartup} waits for it to come up.
     *
     * <p>Framework storage goes to {@code data/cache} (cleaned at each launch), bundles of {@code system/<n>/} are
     * installed at start level {@code n} and started, the framework starts at level 2, and logging is set up with
     * {@code etc/logback.xml}. It sets the system properties {@code cairn.home} and
     * {@code logback.configurationFile} (when that file exists): one JVM runs one runtime at a time.
     *
     * @param home       the runtime folder, with {@code system/}, {@code etc/} and {@code deploy/}
     * @param properties framework properties that override the launcher's
     * @throws BundleException if the framework or a system bundle cannot be installed
     * @throws IOException     if {@code system/} or the identity file ({@link Identity#FILE}) cannot be read
     */
    public static Cairn launch(Path home, Map<String, String> properties) throws BundleException, IOException {
        long launched = System.nanoTime();
        Path root = home.toAbsolutePath().normalize();
        if (!Files.isDirectory(root.resolve("system"))) {
            throw new IOException(root + " is not a Cairn runtime folder: it has no system/ folder");
        }
        root = root.toRealPath();
        Files.createDirectories(root.resolve("data"));
        Files.createDirectories(root.resolve("log"));
        Files.createDirectories(root.resolve("deploy"));
        System.setProperty(HOME, root.toString());
        Path logback = root.resolve("etc").resolve("logback.xml");
        if (Files.isRegularFile(logback)) {
            System.setProperty("logback.configurationFile", logback.toString());
        }

        Identity identity = Identity.read(root);
        Map<String, Object> config = new HashMap<>(frameworkProperties(root));
        config.putAll(properties);
        RuntimeLog log = new RuntimeLog(System.out, System.err);
        config.put("felix.log.logger", new FrameworkLog(log));

        FrameworkFactory factory = frameworkFactory();
        @SuppressWarnings("unchecked")
        Framework framework = factory.newFramework((Map<String, String>) (Map<?, ?>) config);
        framework.init();
        log.attach(framework);

        Map<Long, String> bundleErrors = new ConcurrentHashMap<>();
        BundleContext context = framework.getBundleContext();
        context.addFrameworkListener(event -> {
            if (event.getType() == FrameworkEvent.ERROR && event.getBundle() != null && event.getThrowable() != null) {
                bundleErrors.put(event.getBundle().getBundleId(), String.valueOf(event.getThrowable().getMessage()));
            }
        });
        PluginEvents pluginEvents = new PluginEvents(log, root);
        context.addBundleListener(pluginEvents);
        context.addFrameworkListener(pluginEvents);
        try {
            installSystemBundles(context, root.resolve("system"));
        } catch (BundleException | IOException | RuntimeException e) {
            framework.stop();
            throw e;
        }

        Logger julRoot = Logger.getLogger("");
        Handler[] previous = julRoot.getHandlers();
        for (Handler handler : previous) {
            if (handler instanceof ConsoleHandler) {
                julRoot.removeHandler(handler);
            }
        }
        Handler forwarder = new JulForwarder(log);
        julRoot.addHandler(forwarder);

        framework.start();
        return new Cairn(root, identity, framework, log, bundleErrors, launched, previous, forwarder);
    }

    private static Map<String, String> frameworkProperties(Path home) {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, home.resolve("data").resolve("cache").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, String.valueOf(FIRST_LEVEL_OF_PLUGINS));
        // bundles installed later (deploy/) start after logging and the framework services
        config.put("felix.startlevel.bundle", String.valueOf(FIRST_LEVEL_OF_PLUGINS));
        config.put("felix.log.level", "2");
        config.put(HOME, home.toString());
        // the Gogo shell reads commands from the terminal only when asked to (bin/cairn in the foreground on a
        // terminal sets cairn.console); leaving it does not stop the broker
        config.put("gosh.args", Boolean.getBoolean(CONSOLE) ? "--noshutdown" : "--nointeractive");
        // the main FileInstall watcher: configuration files in etc/; etc/org.apache.felix.fileinstall-deploy.cfg
        // adds the watcher of deploy/
        config.put("felix.fileinstall.dir", home.resolve("etc").toString());
        config.put("felix.fileinstall.filter", ".*\\.cfg");
        config.put("felix.fileinstall.poll", "500");
        config.put("felix.fileinstall.noInitialDelay", "true");
        config.put("felix.fileinstall.enableConfigSave", "false");
        config.put("felix.fileinstall.log.default", "jul");
        config.put("felix.fileinstall.log.level", "3");
        return config;
    }

    private static FrameworkFactory frameworkFactory() {
        Iterator<FrameworkFactory> factories = ServiceLoader.load(FrameworkFactory.class).iterator();
        if (!factories.hasNext()) {
            throw new IllegalStateException("no OSGi framework on the class path (lib/ must hold the Felix jar)");
        }
        return factories.next();
    }

    /** Installs {@code system/<n>/*.jar} at start level {@code n}, in level then name order, and marks them started. */
    private static void installSystemBundles(BundleContext context, Path system) throws BundleException, IOException {
        TreeMap<Integer, List<Path>> levels = new TreeMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(system)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (Files.isDirectory(dir) && name.matches("[1-9][0-9]*")) {
                    levels.put(Integer.parseInt(name), jars(dir));
                }
            }
        }
        if (levels.isEmpty()) {
            throw new IOException(system + " has no start-level folder (system/1/, system/2/, ...)");
        }
        List<Bundle> installed = new ArrayList<>();
        for (Map.Entry<Integer, List<Path>> level : levels.entrySet()) {
            for (Path jar : level.getValue()) {
                Bundle bundle = context.installBundle(jar.toUri().toString());
                bundle.adapt(BundleStartLevel.class).setStartLevel(level.getKey());
                installed.add(bundle);
            }
        }
        for (Bundle bundle : installed) {
            if (bundle.getHeaders("").get(Constants.FRAGMENT_HOST) == null) {
                bundle.start(); // before the framework starts, this only marks it to be started at its level
            }
        }
    }

    private static List<Path> jars(Path dir) {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.jar")) {
            stream.forEach(jars::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        jars.sort(null);
        return jars;
    }
}
