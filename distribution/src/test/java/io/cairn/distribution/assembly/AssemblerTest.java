package io.cairn.distribution.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembler on a small pool (the Felix framework and two bundles made here): what it writes into the runtime
 * folder and the archives, and what it refuses.
 */
class AssemblerTest {

    @TempDir
    Path temp;

    private Path pool;
    private Path skeleton;
    private Path launcher;

    @BeforeEach
    void pool() throws Exception {
        pool = Files.createDirectories(temp.resolve("pool"));
        Path felix = Path.of(org.osgi.framework.launch.FrameworkFactory.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        Files.copy(felix, pool.resolve("org.apache.felix.framework.jar"));
        bundle(pool.resolve("api-1.0.0.jar"), "org.example.api", "1.0.0", "Export-Package",
                "org.example.api;version=\"1.0.0\"");
        bundle(pool.resolve("plugin-1.0.0.jar"), "org.example.plugin", "1.0.0", "Import-Package",
                "org.example.api;version=\"[1.0,2)\"");
        skeleton = Files.createDirectories(temp.resolve("skeleton"));
        Files.createDirectories(skeleton.resolve("bin"));
        Files.writeString(skeleton.resolve("bin/run"), "#!/bin/sh\n");
        Files.createDirectories(skeleton.resolve("etc"));
        Files.writeString(skeleton.resolve("etc/ignored.cfg"), "the skeleton's etc/ is not copied\n");
        launcher = bundle(temp.resolve("launcher.jar"), null, null, null, null);
        Path etc = Files.createDirectories(temp.resolve("d/etc"));
        Files.writeString(etc.resolve("io.cairn.transport.tcp-default.cfg"), "name = default\nport = 1883\n#host = x\n");
        Files.writeString(etc.resolve("io.cairn.kernel.cfg"), "#persistence = file\n");
        Files.writeString(etc.resolve("one.cfg.example"), "example\n");
    }

    private static Path bundle(Path jar, String symbolicName, String version, String header, String value)
            throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.putValue("Manifest-Version", "1.0");
        if (symbolicName != null) {
            main.putValue("Bundle-ManifestVersion", "2");
            main.putValue("Bundle-SymbolicName", symbolicName);
            main.putValue("Bundle-Version", version);
            main.putValue(header, value);
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.flush();
        }
        return jar;
    }

    private List<Assembler.Result> assemble(String descriptor) throws Exception {
        Path file = temp.resolve("d/small.properties");
        Files.writeString(file, descriptor);
        return Assembler.run("--pool", pool.toString(), "--launcher", launcher.toString(), "--skeleton",
                skeleton.toString(), "--cairn-version", "9.9.9", "--output", temp.resolve("out").toString(),
                "--timestamp", "2026-01-02T03:04:05Z", file.toString());
    }

    private static final String SMALL = """
            name = small
            title = Small Broker
            etc = etc
            etc.exclude = *.example
            port.tcp-default = 2883
            set.io.cairn.kernel.cfg/persistence = memory
            set.io.cairn.transport.tcp-default.cfg/host = 0.0.0.0
            set.io.cairn.transport.tcp-default.cfg/backlog = 16
            bundle.org.apache.felix.framework = lib [7,8)
            bundle.org.example.api = system/2 [1,2)
            bundle.org.example.plugin = deploy [1,2)
            """;

    @Test
    void laysOutTheRuntimeAndWritesBothArchives() throws Exception {
        Assembler.Result result = assemble(SMALL).get(0);

        Path runtime = result.runtime();
        assertThat(runtime).isEqualTo(temp.resolve("out/small-9.9.9"));
        assertThat(result.tarGz()).isRegularFile().hasFileName("small-9.9.9.tar.gz");
        assertThat(result.zip()).isRegularFile().hasFileName("small-9.9.9.zip");
        assertThat(runtime.resolve("system/2/api-1.0.0.jar")).exists();
        assertThat(runtime.resolve("deploy/plugin-1.0.0.jar")).exists();
        assertThat(runtime.resolve("lib/launcher.jar")).exists();
        assertThat(runtime.resolve("etc/ignored.cfg")).doesNotExist();
        assertThat(runtime.resolve("etc/one.cfg.example")).doesNotExist();
        assertThat(Files.isExecutable(runtime.resolve("bin/run"))).isTrue();
        assertThat(Files.readAllLines(runtime.resolve("etc/io.cairn.transport.tcp-default.cfg")))
                .containsExactly("name = default", "port = 2883", "host = 0.0.0.0", "backlog = 16");
        assertThat(Files.readAllLines(runtime.resolve("etc/io.cairn.kernel.cfg"))).containsExactly(
                "persistence = memory");

        Properties identity = new Properties();
        try (var reader = Files.newBufferedReader(runtime.resolve("lib/distribution.properties"),
                StandardCharsets.UTF_8)) {
            identity.load(reader);
        }
        assertThat(identity).containsEntry("name", "small").containsEntry("title", "Small Broker")
                .containsEntry("version", "9.9.9").containsEntry("cairn.version", "9.9.9");

        List<String> listed = Files.readAllLines(runtime.resolve("bundles.txt")).stream()
                .filter(l -> !l.startsWith("#")).map(l -> l.substring(0, l.lastIndexOf('\t'))).toList();
        assertThat(listed).containsExactly("deploy\tplugin-1.0.0.jar\torg.example.plugin\t1.0.0",
                "lib\tlauncher.jar\t-\t9.9.9",
                "lib\torg.apache.felix.framework.jar\torg.apache.felix.framework\t7.0.5",
                "system/2\tapi-1.0.0.jar\torg.example.api\t1.0.0");
        assertThat(Files.readString(runtime.resolve("bundles.txt")))
                .contains("\t" + Assembler.sha256(runtime.resolve("deploy/plugin-1.0.0.jar")) + "\n");
    }

    @Test
    void writesTheSameArchivesTwice() throws Exception {
        Assembler.Result first = assemble(SMALL).get(0);
        Path tarGz = Files.copy(first.tarGz(), temp.resolve("first.tar.gz"));
        Path zip = Files.copy(first.zip(), temp.resolve("first.zip"), StandardCopyOption.REPLACE_EXISTING);
        // the second build in another second of the clock: no time of the build may leak into the archives
        long firstSecond = java.time.Instant.now().getEpochSecond();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> java.time.Instant.now().getEpochSecond() > firstSecond);
        Assembler.Result second = assemble(SMALL).get(0);
        assertThat(Files.mismatch(tarGz, second.tarGz())).as("tar.gz differs at").isEqualTo(-1);
        assertThat(Files.mismatch(zip, second.zip())).as("zip differs at").isEqualTo(-1);
    }

    @Test
    void refusesSettingsForFilesItDoesNotShipAndExclusionsThatMatchNothing() throws Exception {
        assertThatThrownBy(() -> assemble(SMALL + "port.tcp-lan = 1885\n"))
                .isInstanceOf(AssemblyException.class)
                .hasMessageContaining("distribution small:")
                .hasMessageContaining("port.tcp-lan: etc/io.cairn.transport.tcp-lan.cfg is not in the distribution");
        assertThatThrownBy(() -> assemble(SMALL.replace("*.example", "*.sample")))
                .isInstanceOf(AssemblyException.class)
                .hasMessageContaining("etc.exclude: *.sample matches no file of etc/");
        assertThatThrownBy(() -> assemble(SMALL.replace("bundle.org.apache.felix.framework = lib [7,8)\n", "")))
                .isInstanceOf(AssemblyException.class)
                .hasMessageContaining("distribution small: no OSGi framework in lib/");
    }

    @Test
    void refusesAPluginWhoseImportNothingExports() throws Exception {
        assertThatThrownBy(() -> assemble(SMALL.replace("bundle.org.example.api = system/2 [1,2)\n",
                "bundle.org.example.api = plugins [1,2)\nbundle.org.example.other = system/2 *\n")))
                .isInstanceOf(AssemblyException.class)
                .hasMessageContaining("bundle org.example.other (system/2 *) is not in the pool");
        bundle(pool.resolve("api-2.0.0.jar"), "org.example.api", "2.0.0", "Export-Package",
                "org.example.api;version=\"2.0.0\"");
        assertThatThrownBy(() -> assemble(SMALL.replace("system/2 [1,2)", "system/2 [2,3)")))
                .isInstanceOf(AssemblyException.class)
                .hasMessageContaining("distribution small: 1 bundle does not resolve")
                .hasMessageContaining("org.example.plugin 1.0.0 (deploy/plugin-1.0.0.jar)")
                .hasMessageContaining("osgi.wiring.package=org.example.api");
    }
}
