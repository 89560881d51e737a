package io.cairn.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/** Copies of the assembled runtime folder for integration tests, and loopback port helpers. */
final class Runtimes {

    private Runtimes() {
    }

    /** The runtime folder assembled by this build ({@code target/cairn}). */
    static Path assembled() {
        String location = System.getProperty("cairn.runtime");
        if (location == null) {
            throw new IllegalStateException("system property cairn.runtime is not set (run through failsafe)");
        }
        Path runtime = Path.of(location);
        if (!Files.isDirectory(runtime.resolve("system"))) {
            throw new IllegalStateException(runtime + " is not an assembled runtime (run mvn package first)");
        }
        return runtime;
    }

    /** Copies the assembled runtime into {@code target} (which must not exist yet) and returns it. */
    static Path copy(Path target) throws IOException {
        Path source = assembled();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return target;
    }

    /** Sets the port of the default listener in {@code home}'s {@code etc/io.cairn.transport.tcp-default.cfg}. */
    static void setDefaultPort(Path home, int port) throws IOException {
        Path cfg = home.resolve("etc/io.cairn.transport.tcp-default.cfg");
        List<String> lines = Files.readAllLines(cfg).stream()
                .map(line -> line.matches("\\s*port\\s*=.*") ? "port = " + port : line)
                .toList();
        if (!lines.contains("port = " + port)) {
            throw new IllegalStateException(cfg + " has no port line");
        }
        Files.write(cfg, lines);
    }

    /**
     * Copies the assembled runtime into {@code target}, with its default listener on {@code port}, starts it in this
     * JVM and waits until it is ready; fails with what did not come up otherwise.
     */
    static Cairn launchReady(Path target, int port) throws Exception {
        Path home = copy(target);
        setDefaultPort(home, port);
        Cairn cairn = Main.launch(home, java.util.Map.of());
        Startup startup = cairn.awaitStartup(java.time.Duration.ofSeconds(90));
        if (!startup.ready()) {
            cairn.stop(java.time.Duration.ofSeconds(30));
            throw new AssertionError(startup.summary());
        }
        return cairn;
    }

    /** Stops a runtime started by a test (if it was), failing when its framework does not stop within 30 s. */
    static void stop(Cairn cairn) {
        if (cairn != null && !cairn.stop(java.time.Duration.ofSeconds(30))) {
            throw new AssertionError("the framework did not stop within 30 s");
        }
    }

    /** The jars of {@code dir} whose file name starts with {@code prefix}. */
    static Path jar(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)
                            && f.getFileName().toString().endsWith(".jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + prefix + "*.jar in " + dir));
        }
    }

    /** A port that was free a moment ago on 127.0.0.1. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port} now. */
    static boolean isOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
