package io.cairn.distribution.assembly;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.osgi.framework.VersionRange;

/**
 * A distribution descriptor: a properties file (UTF-8) that says which bundles, at which version ranges, go
 * into which folder of the runtime, which configuration files form its {@code etc/}, and its name, title, banner
 * and default ports. The format is documented in {@code docs/distribution.md}; in short:
 *
 * <pre>
 * base = full                                 # optional: a shipped descriptor, or a path to a .properties file
 * name = acme-broker                          # archive and folder name: acme-broker-&lt;version&gt;
 * title = Acme Broker                         # shown in the ready line
 * version = 2.3.0                             # optional: the Cairn version by default
 * banner = banner.txt                         # optional: printed when the broker starts
 * etc = etc                                   # folders overlaid onto etc/, in order
 * etc.exclude = *.example                     # globs of etc/ files to leave out
 * pool = bundles                              # extra jars or folders of jars to pick bundles from
 * port.tcp-default = 1883                     # port = 1883 in etc/io.cairn.transport.tcp-default.cfg
 * set.io.cairn.kernel.cfg/persistence = memory  # any key of any etc/ file
 * bundle.com.acme.audit = deploy [1.0,2)      # one line per bundle: folder and version range
 * </pre>
 *
 * Relative paths are relative to the file that names them. A descriptor with a {@code base} inherits every key
 * of the base; its own keys replace the base's, except {@code etc}, {@code etc.exclude} and {@code pool}, which
 * add to the base's; {@code bundle.<name> = none} removes a bundle of the base.
 */
public final class Descriptor {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern FOLDER = Pattern.compile("lib|deploy|plugins|system/[1-9][0-9]*");
    private static final Pattern PORT_LISTENER = Pattern.compile("(tcp|tls|ws)-[A-Za-z0-9._-]+");
    private static final Set<String> SCALAR_KEYS = Set.of("base", "name", "title", "version", "banner", "etc",
            "etc.exclude", "pool");

    /** A key written into a configuration file of {@code etc/}: {@code set.<file>/<key> = <value>}. */
    public record Setting(String file, String key, String value, String source) {
    }

    private final Path file;
    private String name;
    private String title;
    private String version;
    private String banner;
    private final List<Path> etc = new ArrayList<>();
    private final List<String> etcExclude = new ArrayList<>();
    private final List<Path> pool = new ArrayList<>();
    private final Map<String, Setting> settings = new LinkedHashMap<>();
    private final Map<String, BundleEntry> bundles = new TreeMap<>();

    private Descriptor(Path file) {
        this.file = file;
    }

    /**
     * Reads the descriptor {@code file} and its bases.
     *
     * @param shipped the folder of the shipped descriptors ({@code <name>.properties}), which {@code base = <name>}
     *                refers to; may be {@code null} when no base is named that way
     * @throws AssemblyException naming the file and the key when it cannot be read or is invalid
     */
    public static Descriptor read(Path file, Path shipped) throws AssemblyException {
        return read(file.toAbsolutePath().normalize(), shipped, new LinkedHashSet<>());
    }

    private static Descriptor read(Path file, Path shipped, Set<Path> seen) throws AssemblyException {
        if (!seen.add(file)) {
            throw new AssemblyException("descriptor " + file + ": its bases form a cycle: " + seen);
        }
        if (!Files.isRegularFile(file)) {
            throw new AssemblyException("descriptor " + file + ": no such file");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new AssemblyException("descriptor " + file + " cannot be read: " + e.getMessage(), e);
        }
        Descriptor descriptor = new Descriptor(file);
        String base = value(properties, "base");
        if (base != null) {
            // a shipped descriptor's name (full, minimal), or the path of a descriptor file (*.properties)
            Path baseFile = shipped != null && !base.endsWith(".properties") && NAME.matcher(base).matches()
                    ? shipped.resolve(base + ".properties") : file.resolveSibling(base);
            if (!Files.isRegularFile(baseFile)) {
                throw new AssemblyException("descriptor " + file + ": base = " + base + ": no such descriptor ("
                        + baseFile + ")");
            }
            descriptor.inherit(read(baseFile.toAbsolutePath().normalize(), shipped, seen));
        }
        descriptor.apply(properties);
        descriptor.validate();
        return descriptor;
    }

    private void inherit(Descriptor base) {
        name = base.name;
        title = base.title;
        version = base.version;
        banner = base.banner;
        etc.addAll(base.etc);
        etcExclude.addAll(base.etcExclude);
        pool.addAll(base.pool);
        settings.putAll(base.settings);
        bundles.putAll(base.bundles);
    }

    private void apply(Properties properties) throws AssemblyException {
        Path dir = file.getParent();
        for (String key : new TreeMap<>(properties).keySet().stream().map(String::valueOf).toList()) {
            String value = value(properties, key);
            if (key.startsWith("bundle.")) {
                bundle(key, value);
            } else if (key.startsWith("set.")) {
                setting(key, value);
            } else if (key.startsWith("port.")) {
                port(key, value);
            } else if (!SCALAR_KEYS.contains(key)) {
                throw problem(key, "unknown key (known: base, name, title, version, banner, etc, etc.exclude, "
                        + "pool, port.<listener>, set.<file>/<key>, bundle.<symbolic name>)");
            }
        }
        if (properties.containsKey("name")) {
            name = value(properties, "name");
            if (name == null || !NAME.matcher(name).matches()) {
                throw problem("name", "'" + name + "' is not a name (letters, digits, '.', '_', '-')");
            }
        }
        if (properties.containsKey("title")) {
            title = value(properties, "title");
        }
        if (properties.containsKey("version")) {
            version = value(properties, "version");
            if (version != null && !NAME.matcher(version).matches()) {
                throw problem("version", "'" + version + "' is not a version (letters, digits, '.', '_', '-')");
            }
        }
        if (properties.containsKey("banner")) {
            String banner = value(properties, "banner");
            if (banner == null) {
                this.banner = null;
            } else {
                Path bannerFile = dir.resolve(banner);
                try {
                    this.banner = Files.readString(bannerFile, StandardCharsets.UTF_8).stripTrailing();
                } catch (IOException e) {
                    throw problem("banner", "cannot read " + bannerFile + ": " + e);
                }
            }
        }
        for (String folder : list(properties, "etc")) {
            Path path = dir.resolve(folder).normalize();
            if (!Files.isDirectory(path)) {
                throw problem("etc", path + " is not a folder");
            }
            etc.add(path);
        }
        etcExclude.addAll(list(properties, "etc.exclude"));
        for (String entry : list(properties, "pool")) {
            Path path = dir.resolve(entry).normalize();
            if (!Files.exists(path)) {
                throw problem("pool", path + " does not exist");
            }
            pool.add(path);
        }
    }

    private void bundle(String key, String value) throws AssemblyException {
        String symbolicName = key.substring("bundle.".length());
        if (symbolicName.isEmpty()) {
            throw problem(key, "no symbolic name after 'bundle.'");
        }
        if ("none".equals(value)) {
            if (bundles.remove(symbolicName) == null) {
                throw problem(key, "'none' removes a bundle of the base, but the base has no " + symbolicName);
            }
            return;
        }
        String[] parts = value == null ? new String[0] : value.trim().split("\\s+", 2);
        if (parts.length != 2) {
            throw problem(key, "'" + value + "' is not '<folder> <version range>' (for example: deploy [1.0,2))");
        }
        if (!FOLDER.matcher(parts[0]).matches()) {
            throw problem(key, "'" + parts[0] + "' is not a folder (lib, system/<start level>, deploy, plugins)");
        }
        String rangeText = parts[1].trim();
        VersionRange range;
        try {
            range = "*".equals(rangeText) ? new VersionRange("0") : new VersionRange(rangeText);
        } catch (IllegalArgumentException e) {
            throw problem(key, "'" + rangeText + "' is not an OSGi version range: " + e.getMessage());
        }
        bundles.put(symbolicName, new BundleEntry(symbolicName, parts[0], range, rangeText));
    }

    private void setting(String key, String value) throws AssemblyException {
        String target = key.substring("set.".length());
        int slash = target.lastIndexOf('/');
        if (slash <= 0 || slash == target.length() - 1 || target.substring(0, slash).contains("/")) {
            throw problem(key, "not 'set.<file in etc/>/<key>' (for example: set.io.cairn.kernel.cfg/persistence)");
        }
        String cfg = target.substring(0, slash);
        String cfgKey = target.substring(slash + 1);
        settings.put(cfg + '/' + cfgKey, new Setting(cfg, cfgKey, value == null ? "" : value, file + ": " + key));
    }

    private void port(String key, String value) throws AssemblyException {
        String listener = key.substring("port.".length());
        if (!PORT_LISTENER.matcher(listener).matches()) {
            throw problem(key, "not 'port.<tcp|tls|ws>-<listener name>' (for example: port.tcp-default)");
        }
        int port;
        try {
            port = Integer.parseInt(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw problem(key, "'" + value + "' is not a port (0..65535)");
        }
        String cfg = "io.cairn.transport." + listener + ".cfg";
        settings.put(cfg + "/port", new Setting(cfg, "port", String.valueOf(port), file + ": " + key));
    }

    private void validate() throws AssemblyException {
        if (name == null) {
            throw problem("name", "missing: every distribution needs a name");
        }
        if (bundles.isEmpty()) {
            throw problem("bundle.*", "the distribution has no bundles");
        }
        if (bundles.values().stream().noneMatch(b -> b.folder().startsWith("system/"))) {
            throw problem("bundle.*", "no bundle goes into system/<start level>: the runtime would be empty");
        }
    }

    private AssemblyException problem(String key, String problem) {
        return new AssemblyException("descriptor " + file + ": " + key + ": " + problem);
    }

    private static String value(Properties properties, String key) {
        String value = properties.getProperty(key);
        if (value == null) {
            return null;
        }
        value = value.strip();
        return value.isEmpty() ? null : value;
    }

    private static List<String> list(Properties properties, String key) {
        String value = value(properties, key);
        if (value == null) {
            return List.of();
        }
        List<String> items = new ArrayList<>();
        for (String item : value.split("[,\\s]+")) {
            if (!item.isEmpty()) {
                items.add(item);
            }
        }
        return items;
    }

    /** The descriptor file. */
    public Path file() {
        return file;
    }

    /** The distribution's name: its archives and top folder are {@code <name>-<version>}. */
    public String name() {
        return name;
    }

    /** The title shown in the ready line; the name when the descriptor gives none. */
    public String title() {
        return title == null ? name : title;
    }

    /** The distribution's own version, or {@code null} for the Cairn version that assembles it. */
    public String version() {
        return version;
    }

    /** The banner text, or {@code null}. */
    public String banner() {
        return banner;
    }

    /** The folders overlaid onto {@code etc/}, in order (later files replace earlier ones of the same path). */
    public List<Path> etc() {
        return List.copyOf(etc);
    }

    /** Globs (over paths relative to {@code etc/}) of files left out of {@code etc/}. */
    public List<String> etcExclude() {
        return List.copyOf(etcExclude);
    }

    /** Jars and folders of jars added to the build's pool of bundles. */
    public List<Path> pool() {
        return List.copyOf(pool);
    }

    /** Keys written into files of {@code etc/} after the overlays. */
    public List<Setting> settings() {
        return List.copyOf(settings.values());
    }

    /** The bundles, by symbolic name. */
    public List<BundleEntry> bundles() {
        return List.copyOf(bundles.values());
    }
}
