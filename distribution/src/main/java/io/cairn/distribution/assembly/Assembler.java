package io.cairn.distribution.assembly;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Turns distribution descriptors ({@link Descriptor}) into runtime folders and archives: picks each bundle from
 * the pool within its version range, checks that they resolve together ({@link ResolveCheck}), lays out the
 * runtime folder (the skeleton's {@code bin/} and README files, {@code etc/} from the descriptor's overlays and
 * settings, the bundles, {@code bundles.txt} and {@code lib/distribution.properties}), and writes it as
 * {@code <name>-<version>.tar.gz} and {@code .zip}.
 *
 * <p>Command line (the build runs it during {@code package}; see {@code docs/distribution.md}):
 * <pre>
 * java -cp &lt;this jar&gt;:&lt;felix framework jar&gt; io.cairn.distribution.assembly.Assembler
 *     --pool &lt;folder or jar&gt;... --launcher &lt;launcher jar&gt; --skeleton &lt;src/main/dist&gt;
 *     --shipped &lt;folder of shipped descriptors&gt; --cairn-version &lt;version&gt; --output &lt;folder&gt;
 *     [--folder &lt;runtime folder to refresh&gt;] [--timestamp &lt;ISO instant&gt;] descriptor.properties...
 * </pre>
 * It exits with 0 when every distribution was written, 1 when one could not be (the message says which and
 * why), and 2 for a bad command line.
 */
public final class Assembler {

    /** The file at the top of the runtime folder listing every jar with its SHA-256. */
    public static final String BUNDLE_LIST = "bundles.txt";
    /** The distribution's identity in the runtime folder, read by the launcher. */
    public static final String IDENTITY = "lib/distribution.properties";

    private static final String FRAMEWORK_FACTORY = "META-INF/services/org.osgi.framework.launch.FrameworkFactory";

    private final List<Path> pool = new ArrayList<>();
    private Path launcher;
    private Path skeleton;
    private Path shipped;
    private String cairnVersion;
    private Path output;
    private Path folder;
    private Instant timestamp = Instant.now();
    private final List<Path> descriptors = new ArrayList<>();

    /** What one descriptor became. */
    public record Result(String name, String version, Path runtime, Path tarGz, Path zip) {
    }

    private Assembler() {
    }

    /** Runs {@link #run} and exits: 0 done, 1 a distribution could not be assembled, 2 a bad command line. */
    public static void main(String[] args) {
        try {
            for (Result result : run(args)) {
                System.out.println("Distribution " + result.name() + ' ' + result.version() + ": " + result.tarGz()
                        + ", " + result.zip());
            }
        } catch (IllegalArgumentException e) {
            System.err.println("cairn assembler: " + e.getMessage());
            System.exit(2);
        } catch (AssemblyException e) {
            System.err.println("cairn assembler: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Assembles the descriptors named on the command line (see the class comment).
     *
     * @throws IllegalArgumentException for a bad command line
     * @throws AssemblyException        when a distribution cannot be assembled; its message says which and why
     */
    public static List<Result> run(String... args) throws AssemblyException {
        Assembler assembler = new Assembler();
        assembler.parse(args);
        List<Result> results = new ArrayList<>();
        for (Path descriptor : assembler.descriptors) {
            results.add(assembler.assemble(Descriptor.read(descriptor, assembler.shipped)));
        }
        return results;
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                descriptors.add(Path.of(arg));
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            String value = args[++i];
            switch (arg) {
                case "--pool" -> pool.add(Path.of(value));
                case "--launcher" -> launcher = Path.of(value);
                case "--skeleton" -> skeleton = Path.of(value);
                case "--shipped" -> shipped = Path.of(value);
                case "--cairn-version" -> cairnVersion = value;
                case "--output" -> output = Path.of(value);
                case "--folder" -> folder = Path.of(value);
                case "--timestamp" -> {
                    try {
                        timestamp = Instant.parse(value);
                    } catch (DateTimeParseException e) {
                        throw new IllegalArgumentException("--timestamp " + value + " is not an ISO instant "
                                + "(for example 2026-01-01T00:00:00Z)");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (launcher == null || skeleton == null || cairnVersion == null || output == null || pool.isEmpty()) {
            throw new IllegalArgumentException("usage: --pool <folder or jar>... --launcher <jar> --skeleton "
                    + "<folder> [--shipped <folder>] --cairn-version <version> --output <folder> [--folder <folder>] "
                    + "[--timestamp <instant>] <descriptor>...");
        }
        if (descriptors.isEmpty()) {
            throw new IllegalArgumentException("no descriptor given");
        }
        if (folder != null && descriptors.size() != 1) {
            throw new IllegalArgumentException("--folder needs exactly one descriptor");
        }
        if (!Files.isRegularFile(launcher)) {
            throw new IllegalArgumentException("--launcher " + launcher + ": no such file (run mvn package)");
        }
    }

    private Result assemble(Descriptor descriptor) throws AssemblyException {
        String name = descriptor.name();
        String version = descriptor.version() != null ? descriptor.version() : cairnVersion;
        BundlePool bundles = new BundlePool();
        for (Path source : pool) {
            bundles.add(source);
        }
        for (Path source : descriptor.pool()) {
            bundles.add(source);
        }
        Map<BundleEntry, BundlePool.Candidate> picked = new LinkedHashMap<>();
        for (BundleEntry entry : descriptor.bundles()) {
            picked.put(entry, bundles.pick(name, entry));
        }
        checkFramework(name, picked);
        List<ResolveCheck.Item> toResolve = new ArrayList<>();
        picked.forEach((entry, candidate) -> {
            if (!entry.folder().equals("lib")) {
                toResolve.add(new ResolveCheck.Item(entry.folder(), candidate.file()));
            }
        });
        ResolveCheck.check(name, toResolve);

        String top = name + '-' + version;
        Path runtime = output.resolve(top);
        try {
            Files.createDirectories(output);
            ResolveCheck.deleteTree(runtime);
            layOut(descriptor, version, runtime, picked);
            Path tarGz = output.resolve(top + ".tar.gz");
            Path zip = output.resolve(top + ".zip");
            Archives.tarGz(runtime, top, tarGz, timestamp);
            Archives.zip(runtime, top, zip, timestamp);
            if (folder != null) {
                refresh(runtime, folder);
            }
            return new Result(name, version, runtime, tarGz, zip);
        } catch (IOException e) {
            throw new AssemblyException("distribution " + name + ": cannot write " + runtime + ": " + e, e);
        }
    }

    /** The launcher takes the framework from {@code lib/} through the Service Loader: one jar there must offer it. */
    private static void checkFramework(String name, Map<BundleEntry, BundlePool.Candidate> picked)
            throws AssemblyException {
        for (Map.Entry<BundleEntry, BundlePool.Candidate> e : picked.entrySet()) {
            if (e.getKey().folder().equals("lib")) {
                try (JarFile jar = new JarFile(e.getValue().file().toFile())) {
                    if (jar.getEntry(FRAMEWORK_FACTORY) != null) {
                        return;
                    }
                } catch (IOException ex) {
                    throw new AssemblyException("distribution " + name + ": " + e.getValue().file()
                            + " cannot be read: " + ex, ex);
                }
            }
        }
        throw new AssemblyException("distribution " + name + ": no OSGi framework in lib/ (a bundle offering "
                + FRAMEWORK_FACTORY + ", such as bundle.org.apache.felix.framework = lib [7.0,8))");
    }

    private void layOut(Descriptor descriptor, String version, Path runtime,
                        Map<BundleEntry, BundlePool.Candidate> picked) throws IOException, AssemblyException {
        Files.createDirectories(runtime);
        // bin/ and the README files of the skeleton; etc/ comes from the descriptor
        try (Stream<Path> files = Files.walk(skeleton)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path relative = skeleton.relativize(file);
                if (relative.toString().isEmpty() || relative.getName(0).toString().equals("etc")) {
                    continue;
                }
                copy(file, runtime.resolve(relative.toString()));
            }
        }
        Path etc = runtime.resolve("etc");
        Files.createDirectories(etc);
        for (Path overlay : descriptor.etc()) {
            try (Stream<Path> files = Files.walk(overlay)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    copy(file, etc.resolve(overlay.relativize(file).toString()));
                }
            }
        }
        exclude(descriptor, etc);
        for (Descriptor.Setting setting : descriptor.settings()) {
            apply(descriptor.name(), setting, etc.resolve(setting.file()));
        }
        for (String dir : List.of("lib", "deploy", "plugins", "data", "log")) {
            Files.createDirectories(runtime.resolve(dir));
        }
        Path launcherCopy = runtime.resolve("lib").resolve(launcher.getFileName().toString());
        Files.copy(launcher, launcherCopy, StandardCopyOption.REPLACE_EXISTING);
        StringBuilder list = new StringBuilder("# The jars of this runtime: folder, file, Bundle-SymbolicName, "
                + "Bundle-Version, SHA-256 (tab-separated). Check them with:\n"
                + "#   awk -F'\\t' '!/^#/ {print $5 \"  \" $1 \"/\" $2}' bundles.txt | sha256sum -c\n");
        List<String> lines = new ArrayList<>();
        lines.add("lib\t" + launcher.getFileName() + "\t-\t" + cairnVersion + '\t' + sha256(launcherCopy));
        for (Map.Entry<BundleEntry, BundlePool.Candidate> e : picked.entrySet()) {
            Path dir = runtime.resolve(e.getKey().folder());
            Files.createDirectories(dir);
            Path copy = dir.resolve(e.getValue().file().getFileName().toString());
            if (Files.exists(copy)) {
                throw new AssemblyException("distribution " + descriptor.name() + ": two bundles would be "
                        + e.getKey().folder() + '/' + copy.getFileName());
            }
            Files.copy(e.getValue().file(), copy);
            lines.add(e.getKey().folder() + '\t' + copy.getFileName() + '\t' + e.getValue().symbolicName() + '\t'
                    + e.getValue().version() + '\t' + sha256(copy));
        }
        lines.sort(null);
        lines.forEach(line -> list.append(line).append('\n'));
        Files.writeString(runtime.resolve(BUNDLE_LIST), list, StandardCharsets.UTF_8);
        Files.writeString(runtime.resolve(IDENTITY), identity(descriptor, version), StandardCharsets.UTF_8);
        try (Stream<Path> bin = Files.list(runtime.resolve("bin"))) {
            for (Path script : (Iterable<Path>) bin::iterator) {
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the archives carry the modes anyway
        }
    }

    private static void exclude(Descriptor descriptor, Path etc) throws IOException, AssemblyException {
        for (String glob : descriptor.etcExclude()) {
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            List<Path> matched;
            try (Stream<Path> files = Files.walk(etc)) {
                matched = files.filter(f -> Files.isRegularFile(f) && matcher.matches(etc.relativize(f))).toList();
            }
            if (matched.isEmpty()) {
                throw new AssemblyException("descriptor " + descriptor.file() + ": etc.exclude: " + glob
                        + " matches no file of etc/");
            }
            for (Path file : matched) {
                Files.delete(file);
            }
        }
    }

    /**
     * Writes {@code key = value} into a configuration file: replaces the first line setting the key, else the
     * first commented-out one ({@code #key = ...}), else appends it.
     */
    private static void apply(String name, Descriptor.Setting setting, Path cfg) throws IOException,
            AssemblyException {
        if (!Files.isRegularFile(cfg)) {
            throw new AssemblyException("distribution " + name + ": " + setting.source() + ": etc/" + setting.file()
                    + " is not in the distribution's configuration (its etc overlays)");
        }
        String key = java.util.regex.Pattern.quote(setting.key());
        List<String> lines = new ArrayList<>(Files.readAllLines(cfg, StandardCharsets.UTF_8));
        String line = setting.key() + " = " + setting.value();
        int index = indexOf(lines, "\\s*" + key + "\\s*[=:].*");
        if (index < 0) {
            index = indexOf(lines, "\\s*#\\s*" + key + "\\s*[=:].*");
        }
        if (index < 0) {
            lines.add(line);
        } else {
            lines.set(index, line);
        }
        Files.write(cfg, lines, StandardCharsets.UTF_8);
    }

    private static int indexOf(List<String> lines, String regex) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches(regex)) {
                return i;
            }
        }
        return -1;
    }

    private String identity(Descriptor descriptor, String version) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("name", descriptor.name());
        values.put("title", descriptor.title());
        values.put("version", version);
        values.put("cairn.version", cairnVersion);
        if (descriptor.banner() != null) {
            values.put("banner", descriptor.banner());
        }
        StringBuilder text = new StringBuilder("# The distribution this runtime folder was assembled from "
                + "(descriptor " + descriptor.file().getFileName() + "); the launcher's banner and ready line "
                + "show it.\n");
        values.forEach((key, value) -> text.append(key).append(" = ").append(escape(value)).append('\n'));
        return text.toString();
    }

    /** A properties value: backslashes, line breaks and leading blanks escaped; read back as UTF-8. */
    private static String escape(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case ' ' -> out.append(out.isEmpty() ? "\\ " : " ");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Copies a file or creates a folder, replacing a file already there. */
    private static void copy(Path source, Path target) throws IOException {
        if (Files.isDirectory(source)) {
            Files.createDirectories(target);
        } else {
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Makes {@code target} hold the runtime {@code runtime}: its {@code bin/ lib/ system/ deploy/ plugins/} are
     * replaced, its {@code etc/} files overwritten, and {@code data/} and {@code log/} (the state of a broker run
     * there) kept.
     */
    private static void refresh(Path runtime, Path target) throws IOException {
        for (String dir : List.of("bin", "lib", "system", "deploy", "plugins")) {
            ResolveCheck.deleteTree(target.resolve(dir));
        }
        try (Stream<Path> files = Files.walk(runtime)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = target.resolve(runtime.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else if (!Files.exists(copy) || !(runtime.relativize(file).startsWith("data")
                        || runtime.relativize(file).startsWith("log"))) {
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
