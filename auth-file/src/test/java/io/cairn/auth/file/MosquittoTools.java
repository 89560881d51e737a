package io.cairn.auth.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Mosquitto's programs for interoperability tests: without them a test is skipped, or fails when the {@code CI}
 * environment variable is set ({@code .ci/run} installs them).
 */
public final class MosquittoTools {

    public static final Path PASSWD = Path.of("/usr/bin/mosquitto_passwd");
    public static final Path BROKER = Path.of("/usr/sbin/mosquitto");
    public static final Path PUB = Path.of("/usr/bin/mosquitto_pub");

    private MosquittoTools() {
    }

    /** Skips the test (fails it on CI) unless {@code program} is installed. */
    public static void require(Path program) {
        if (!Files.isExecutable(program)) {
            String message = program + " not found: install it with 'apt-get install mosquitto mosquitto-clients'";
            if (System.getenv("CI") != null) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
    }

    /** Runs a command to its end; returns its exit code and output. */
    public static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(List.of(command) + " did not end within 60 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Runs a command to its end; returns its exit code and output. */
    public static Result run(List<String> command) throws IOException, InterruptedException {
        return run(new ArrayList<>(command).toArray(String[]::new));
    }

    /** What a command did. */
    public record Result(int exitCode, String output) {
    }
}
