package io.cairn.distribution;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Which distribution a runtime folder is: its name, title, version and banner, as the assembler wrote them into
 * {@code lib/distribution.properties}. A folder without that file (one laid out by hand, or by a test) is plain
 * "Cairn" at the broker's own version.
 *
 * @param name    the distribution's name, or {@code null}
 * @param title   what the ready line calls it
 * @param version the distribution's version, or {@code null} for the broker's
 * @param banner  text printed when the launcher starts, or {@code null}
 */
public record Identity(String name, String title, String version, String banner) {

    /** The identity file, relative to the runtime folder. */
    public static final String FILE = "lib/distribution.properties";

    /** A runtime folder without an identity file. */
    public static final Identity PLAIN = new Identity(null, "Cairn", null, null);

    /**
     * Reads {@code home}'s identity file; {@link #PLAIN} when there is none.
     *
     * @throws IOException naming the file when it exists but cannot be read
     */
    public static Identity read(Path home) throws IOException {
        Path file = home.resolve(FILE);
        if (!Files.exists(file)) {
            return PLAIN;
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(file + " cannot be read: " + e.getMessage(), e);
        }
        String title = blankToNull(properties.getProperty("title"));
        return new Identity(blankToNull(properties.getProperty("name")), title == null ? PLAIN.title() : title,
                blankToNull(properties.getProperty("version")), blankToNull(properties.getProperty("banner")));
    }

    /** The banner with {@code {title}} and {@code {version}} replaced, or {@code null} when there is none. */
    public String bannerText() {
        if (banner == null) {
            return null;
        }
        return banner.replace("{title}", title).replace("{version}", version == null ? "" : version);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
