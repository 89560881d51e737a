package io.cairn.auth.jdbc.testsupport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Hashes made by {@code /usr/bin/mosquitto_passwd} (Debian package mosquitto): without it a test is skipped, or
 * fails when the {@code CI} environment variable is set.
 */
public final class MosquittoPasswd {

    public static final Path BINARY = Path.of("/usr/bin/mosquitto_passwd");

    private MosquittoPasswd() {
    }

    /** The hash mosquitto_passwd writes for {@code password} ({@code algorithm}: sha512-pbkdf2 or sha512). */
    public static String hash(Path dir, String algorithm, String password) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            String message = BINARY + " not found: install it with 'apt-get install mosquitto'";
            if (System.getenv("CI") != null) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
        Path file = Files.createTempFile(dir, "passwd", "");
        Process process = new ProcessBuilder(BINARY.toString(), "-H", algorithm, "-c", "-b", file.toString(), "u",
                password).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("mosquitto_passwd failed: " + output);
        }
        String line = Files.readString(file).strip();
        return line.substring(line.indexOf(':') + 1);
    }
}
