package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.distribution.assembly.Assembler;
import io.cairn.distribution.assembly.AssemblyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vendor's distribution built from the example descriptor of the documentation
 * ({@code docs/examples/vendor/acme.properties}) by the assembler's command-line entry point, the one the
 * documented {@code mvn ... -Dcairn.descriptor=...} command runs, with a bundle of the vendor's own; and
 * descriptors the assembler must refuse, each with a message naming the bundle and the problem.
 */
class VendorDistributionIT {

    private static final String VERSION = System.getProperty("cairn.version");

    @TempDir
    Path temp;

    /** The assembler's arguments as the build gives them, writing to {@code output}. */
    private static List<String> arguments(Path output, Path descriptor) {
        return List.of("--pool", System.getProperty("cairn.pool"),
                "--launcher", System.getProperty("cairn.launcher"),
                "--skeleton", System.getProperty("cairn.skeleton"),
                "--shipped", System.getProperty("cairn.shipped"),
                "--cairn-version", VERSION,
                "--output", output.toString(),
                descriptor.toString());
    }

    private static List<Assembler.Result> assemble(Path output, Path descriptor) throws AssemblyException {
        return Assembler.run(arguments(output, descriptor).toArray(String[]::new));
    }

    /** A bundle jar with no code: a symbolic name, a version and the given imports (none when {@code null}). */
    private static Path bundle(Path jar, String symbolicName, String version, String imports) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.putValue("Manifest-Version", "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", version);
        if (imports != null) {
            main.putValue("Import-Package", imports);
        }
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("OSGI-INF/l10n/bundle.properties"));
            out.write(("bundle.name = " + symbolicName + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    /** A copy of the example vendor folder of the documentation, with Acme's bundle in its bundles/. */
    private Path exampleCopy() throws IOException {
        Path source = Path.of(System.getProperty("cairn.examples")).resolve("vendor");
        Path copy = temp.resolve("vendor");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = copy.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        bundle(copy.resolve("bundles/acme-audit-1.0.0.jar"), "com.acme.audit", "1.0.0",
                "io.cairn.api.broker;version=\"[1.0,2)\"");
        return copy;
    }

    @Test
    @DisplayName("the example vendor descriptor becomes archives that start with the vendor's banner, title, version, "
            + "port, settings and bundle")
    void exampleVendorDistribution() throws Exception {
        Path vendor = exampleCopy();
        // the test's port replaces the example's 1884 through the descriptor's own mechanism (base + port.*)
        int port = Runtimes.freePort();
        Path descriptor = vendor.resolve("acme-test.properties");
        Files.writeString(descriptor, "base = acme.properties\nport.tcp-default = " + port + "\n");

        List<Assembler.Result> results = assemble(temp.resolve("out"), descriptor);

        assertThat(results).hasSize(1);
        Assembler.Result result = results.get(0);
        assertThat(result.tarGz().getFileName().toString()).isEqualTo("acme-broker-2.3.0.tar.gz");
        assertThat(result.zip().getFileName().toString()).isEqualTo("acme-broker-2.3.0.zip");
        Path fromTar = RuntimeProcess.unpack(result.tarGz(), temp.resolve("unpacked-tar"));
        Path home = RuntimeProcess.unpack(result.zip(), temp.resolve("unpacked-zip"));
        assertThat(RuntimeProcess.tree(home)).as("what the tar.gz and the zip hold")
                .isEqualTo(RuntimeProcess.tree(fromTar)).isNotEmpty();
        assertThat(home.getFileName().toString()).isEqualTo("acme-broker-2.3.0");
        List<RuntimeProcess.Listed> listed = ShippedDistributionsIT.checkBundleList(home);
        assertThat(listed).anySatisfy(b -> assertThat(b).isEqualTo(new RuntimeProcess.Listed("deploy",
                "acme-audit-1.0.0.jar", "com.acme.audit", "1.0.0", b.sha256())));
        assertThat(listed).extracting(RuntimeProcess.Listed::symbolicName)
                .contains("io.cairn.auth.file", "io.cairn.transport.tcp").doesNotContain("io.cairn.auth.jdbc");
        assertThat(home.resolve("etc/io.cairn.bridge-upstream.cfg.example")).doesNotExist();
        assertThat(Files.readAllLines(home.resolve("etc/io.cairn.transport.tcp-default.cfg")))
                .contains("port = " + port, "host = 0.0.0.0", "allowAnonymous = false");
        RuntimeProcess.run(List.of(home.resolve("bin/cairn-passwd").toString(), "-b", "etc/passwd", "wile",
                "acme-rocket"), home);

        try (RuntimeProcess broker = RuntimeProcess.start(home, Map.of())) {
            String ready = broker.awaitReady();
            assertThat(broker.output().text()).contains("Acme Broker 2.3.0, built on Cairn.");
            assertThat(ready).contains("Acme Broker 2.3.0 (Cairn " + VERSION + ") ready (10 plugins, 1 listener)",
                    ":" + port + "; plugins: ", "com.acme.audit 1.0.0", "io.cairn.auth.file ");

            try (PahoClient client = new PahoClient(port, "acme-client")) {
                assertThat(client.tryConnect(null, null)).as("CONNACK refusing an anonymous client").isNotZero();
                assertThat(client.tryConnect("wile", "acme-rocket")).as("CONNACK for wile").isZero();
                client.subscribe("acme/echo", 1);
                client.publish("acme/echo", "beep beep", 1);
                assertThat(client.next(10)).isEqualTo(new PahoClient.Received("acme/echo", "beep beep", 1));
                client.disconnect();
            }
            assertThat(broker.stop()).as("exit code after SIGTERM").isZero();
        }
    }

    @Test
    @DisplayName("a bundle that needs an API version the distribution lacks fails the build, naming it and the "
            + "missing requirement")
    void incompatibleBundleFailsTheBuild() throws Exception {
        Path dir = temp.resolve("future");
        Path jar = bundle(dir.resolve("bundles/future-plugin-1.0.0.jar"), "io.cairn.test.future", "1.0.0",
                "io.cairn.api.broker;version=\"[9.0,10)\"");
        Path descriptor = dir.resolve("future.properties");
        Files.writeString(descriptor, "base = full\nname = future\npool = bundles\n"
                + "bundle.io.cairn.test.future = deploy [1.0,2)\n");

        assertThatThrownBy(() -> assemble(temp.resolve("out"), descriptor))
                .isInstanceOf(AssemblyException.class)
                .hasMessageContaining("distribution future: 1 bundle does not resolve")
                .hasMessageContaining("io.cairn.test.future 1.0.0 (deploy/" + jar.getFileName() + ")")
                .hasMessageContaining("missing requirement")
                .hasMessageContaining("osgi.wiring.package=io.cairn.api.broker")
                .hasMessageContaining("version>=9.0.0");
        assertThat(temp.resolve("out/future-" + VERSION + ".tar.gz")).doesNotExist();
    }

    @Test
    @DisplayName("a bundle outside its version range, or missing from the pool, fails the build naming it")
    void versionOutsideTheRangeOrMissingFailsTheBuild() throws Exception {
        Path descriptor = temp.resolve("wrong.properties");
        Files.writeString(descriptor, "base = minimal\nname = wrong\nbundle.io.cairn.transport.tcp = deploy [5.0,6)\n");
        assertThatThrownBy(() -> assemble(temp.resolve("out"), descriptor))
                .isInstanceOf(AssemblyException.class)
                .hasMessageContaining("distribution wrong: bundle io.cairn.transport.tcp needs a version in [5.0,6)")
                .hasMessageContaining("cairn-transport-tcp-" + VERSION + ".jar");

        Files.writeString(descriptor, "base = minimal\nname = wrong\nbundle.com.example.nowhere = deploy [1.0,2)\n");
        assertThatThrownBy(() -> assemble(temp.resolve("out"), descriptor))
                .isInstanceOf(AssemblyException.class)
                .hasMessageContaining("distribution wrong: bundle com.example.nowhere (deploy [1.0,2)) is not in the "
                        + "pool");

        Files.writeString(descriptor, "base = minimal\nname = wrong\nbundel.io.cairn.bridge = deploy [0.1,1)\n");
        assertThatThrownBy(() -> assemble(temp.resolve("out"), descriptor))
                .isInstanceOf(AssemblyException.class)
                .hasMessageContaining("descriptor " + descriptor)
                .hasMessageContaining("bundel.io.cairn.bridge: unknown key");
    }
}
