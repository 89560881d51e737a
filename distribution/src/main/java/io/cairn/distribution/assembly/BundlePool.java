package io.cairn.distribution.assembly;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.osgi.framework.Version;

/**
 * The jars a distribution picks its bundles from, indexed by {@code Bundle-SymbolicName}: the build's pool (the
 * distribution module's runtime dependencies) and the descriptor's own {@code pool} entries. Jars without a
 * symbolic name are not bundles and are left out (the launcher jar is added by the assembler itself).
 */
final class BundlePool {

    /** A bundle jar of the pool. */
    record Candidate(Path file, String symbolicName, Version version) {
    }

    private final Map<String, List<Candidate>> bySymbolicName = new HashMap<>();
    private final List<Path> sources = new ArrayList<>();

    /** Adds a jar, or every {@code *.jar} of a folder (not its sub-folders). */
    void add(Path source) throws AssemblyException {
        sources.add(source);
        if (Files.isDirectory(source)) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(source, "*.jar")) {
                for (Path jar : jars) {
                    addJar(jar);
                }
            } catch (IOException e) {
                throw new AssemblyException("pool folder " + source + " cannot be read: " + e, e);
            }
        } else if (Files.isRegularFile(source)) {
            addJar(source);
        } else {
            throw new AssemblyException("pool entry " + source + " is neither a jar nor a folder");
        }
    }

    private void addJar(Path jar) throws AssemblyException {
        Manifest manifest;
        try (JarFile file = new JarFile(jar.toFile())) {
            manifest = file.getManifest();
        } catch (IOException e) {
            throw new AssemblyException("pool jar " + jar + " cannot be read: " + e.getMessage(), e);
        }
        if (manifest == null) {
            return;
        }
        Attributes main = manifest.getMainAttributes();
        String symbolicName = main.getValue("Bundle-SymbolicName");
        if (symbolicName == null) {
            return;
        }
        symbolicName = symbolicName.split(";", 2)[0].trim();
        Version version;
        try {
            version = Version.parseVersion(main.getValue("Bundle-Version"));
        } catch (IllegalArgumentException e) {
            throw new AssemblyException("pool jar " + jar + " (" + symbolicName + ") has an invalid Bundle-Version: "
                    + e.getMessage(), e);
        }
        Candidate candidate = new Candidate(jar.toAbsolutePath().normalize(), symbolicName, version);
        List<Candidate> candidates = bySymbolicName.computeIfAbsent(symbolicName, k -> new ArrayList<>());
        if (candidates.stream().noneMatch(c -> c.version().equals(version))) {
            candidates.add(candidate);
        }
    }

    /**
     * The highest version of {@code entry}'s bundle within its range.
     *
     * @throws AssemblyException naming the distribution and the bundle when the pool has none, or none in range
     */
    Candidate pick(String distribution, BundleEntry entry) throws AssemblyException {
        List<Candidate> candidates = bySymbolicName.getOrDefault(entry.symbolicName(), List.of());
        if (candidates.isEmpty()) {
            throw new AssemblyException("distribution " + distribution + ": bundle " + entry.symbolicName() + " ("
                    + entry.folder() + ' ' + entry.rangeText() + ") is not in the pool; the pool is " + sources
                    + " (add the jar to the distribution module's dependencies or to the descriptor's pool)");
        }
        return candidates.stream()
                .filter(c -> entry.range().includes(c.version()))
                .max(Comparator.comparing(Candidate::version))
                .orElseThrow(() -> new AssemblyException("distribution " + distribution + ": bundle "
                        + entry.symbolicName() + " needs a version in " + entry.rangeText() + ", but the pool has "
                        + candidates.stream().map(c -> c.version() + " (" + c.file() + ")").toList()));
    }
}
