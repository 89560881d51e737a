package io.cairn.distribution;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A runtime folder's broker run the way a user runs it, with {@code bin/cairn} in its own process, and the
 * archives a distribution ships, unpacked with the system's {@code tar} and {@code unzip}.
 */
final class RuntimeProcess implements AutoCloseable {

    static final Duration START = Duration.ofSeconds(90);

    private final Process process;
    private final ProcessOutput output;

    private RuntimeProcess(Process process) {
        this.process = process;
        this.output = new ProcessOutput(process.getInputStream(), "cairn");
    }

    /** Starts {@code home/bin/cairn} in the foreground with {@code environment} added to its own. */
    static RuntimeProcess start(Path home, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/cairn").toString()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        return new RuntimeProcess(builder.start());
    }

    /** Waits for the ready line (or the process's end) and returns the ready line. */
    String awaitReady() {
        await("the ready line").atMost(START)
                .until(() -> output.contains(" ready (") || output.contains("started with problems")
                        || !process.isAlive());
        return output.lines().stream().filter(line -> line.contains(" ready ("))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no ready line; the broker said:\n" + output.text()));
    }

    ProcessOutput output() {
        return output;
    }

    Process process() {
        return process;
    }

    /**
     * Sends SIGTERM (what Ctrl-C or a service manager does), waits for the process to end and for its last line,
     * {@code Cairn stopped in ...}, and returns the exit code.
     */
    int stop() throws InterruptedException {
        // the handle's destroy sends SIGTERM only; Process.destroy would also close the output we read
        process.toHandle().destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the broker did not stop within 60 s after SIGTERM:\n" + output.text());
        }
        await("the stop line").atMost(Duration.ofSeconds(10)).until(() -> output.contains("Cairn stopped in"));
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Unpacks {@code archive} ({@code .tar.gz} with {@code tar}, {@code .zip} with {@code unzip}) into {@code into}
     * and returns the one folder it must hold.
     */
    static Path unpack(Path archive, Path into) throws IOException, InterruptedException {
        Files.createDirectories(into);
        String name = archive.getFileName().toString();
        List<String> command = name.endsWith(".zip")
                ? List.of("unzip", "-q", archive.toString(), "-d", into.toString())
                : List.of("tar", "-xzf", archive.toString(), "-C", into.toString());
        run(command, into);
        try (Stream<Path> top = Files.list(into)) {
            List<Path> entries = top.toList();
            if (entries.size() != 1 || !Files.isDirectory(entries.get(0))) {
                throw new AssertionError(name + " does not unpack into one folder: " + entries);
            }
            return entries.get(0);
        }
    }

    /** Runs a command to its end and returns its output; fails the test when it exits with a code other than 0. */
    static String run(List<String> command, Path directory) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError(command + " failed: " + text);
        }
        return text;
    }

    /** A line of {@code bundles.txt}. */
    record Listed(String folder, String file, String symbolicName, String version, String sha256) {
    }

    /** The lines of {@code home/bundles.txt}. */
    static List<Listed> bundleList(Path home) throws IOException {
        List<Listed> listed = new ArrayList<>();
        for (String line : Files.readAllLines(home.resolve("bundles.txt"))) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] columns = line.split("\t");
            if (columns.length != 5) {
                throw new AssertionError("bundles.txt line without 5 tab-separated columns: " + line);
            }
            listed.add(new Listed(columns[0], columns[1], columns[2], columns[3], columns[4]));
        }
        return listed;
    }

    /** The SHA-256 of a file, in hex. */
    static String sha256(Path file) throws Exception {
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        return HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
    }

    /**
     * What a folder holds, one line per file: its path, whether it is executable, and its SHA-256; for comparing
     * what two archives unpack into.
     */
    static List<String> tree(Path home) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(home)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                lines.add(home.relativize(file) + (Files.isExecutable(file) ? " (executable) " : " ") + sha256(file));
            }
        }
        return lines;
    }

    /** Every jar of the runtime folder, relative to it. */
    static List<String> jars(Path home) throws IOException {
        try (Stream<Path> files = Files.walk(home)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .map(f -> home.relativize(f).toString())
                    .sorted()
                    .toList();
        }
    }
}
