package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The archives of the shipped distributions ({@code full} and {@code minimal}), as the build wrote them to
 * {@code target/distributions/}: each unpacks into one folder whose {@code bundles.txt} matches its jars, starts
 * with {@code bin/cairn}, names itself, its listener and its plugins in the ready line, serves a real client, and
 * stops with exit code 0 on SIGTERM.
 */
class ShippedDistributionsIT {

    private static final String VERSION = System.getProperty("cairn.version");

    @TempDir
    Path temp;

    private static Path archive(String distribution, String extension) {
        return Path.of(System.getProperty("cairn.distributions"))
                .resolve("cairn-" + distribution + '-' + VERSION + extension);
    }

    @ParameterizedTest(name = "cairn-{0}, started from its {1}")
    @CsvSource({"full, .tar.gz, .zip, Cairn", "minimal, .zip, .tar.gz, Cairn Minimal"})
    @DisplayName("the tar.gz and the zip unpack into the same folder, which starts with bin/cairn, names itself in "
            + "the ready line, serves, and stops with 0")
    void archiveRuns(String distribution, String extension, String other, String title) throws Exception {
        Path home = RuntimeProcess.unpack(archive(distribution, extension), temp.resolve("unpacked"));
        Path otherHome = RuntimeProcess.unpack(archive(distribution, other), temp.resolve("unpacked-other"));
        assertThat(RuntimeProcess.tree(home)).as("what the " + extension + " and the " + other + " hold")
                .isEqualTo(RuntimeProcess.tree(otherHome)).isNotEmpty();
        assertThat(home.getFileName().toString()).isEqualTo("cairn-" + distribution + '-' + VERSION);
        assertThat(Files.isExecutable(home.resolve("bin/cairn"))).as("bin/cairn executable").isTrue();
        List<RuntimeProcess.Listed> listed = checkBundleList(home);
        List<String> plugins = listed.stream().filter(b -> b.folder().equals("deploy"))
                .map(b -> b.symbolicName() + ' ' + b.version()).sorted().toList();
        int port = Runtimes.freePort();
        Runtimes.setDefaultPort(home, port);
        boolean minimal = distribution.equals("minimal");
        if (minimal) {
            // minimal's file authenticator: a user added with bin/cairn-passwd logs in with its password
            RuntimeProcess.run(List.of(home.resolve("bin/cairn-passwd").toString(), "-b", "etc/passwd", "ann",
                    "s3cret"), home);
        }

        try (RuntimeProcess broker = RuntimeProcess.start(home, Map.of())) {
            String ready = broker.awaitReady();
            assertThat(ready).matches(".* " + Pattern.quote(title + ' ' + VERSION) + " ready \\("
                    + plugins.size() + " plugins, 1 listener\\) in \\d+\\.\\d s; listeners: "
                    + Pattern.quote("mqtt://127.0.0.1:" + port) + "; plugins: "
                    + Pattern.quote(String.join(", ", plugins)));
            assertThat(plugins).hasSize(minimal ? 3 : 8);

            try (PahoClient subscriber = new PahoClient(port, "dist-sub");
                 PahoClient publisher = new PahoClient(port, "dist-pub")) {
                if (minimal) {
                    assertThat(subscriber.tryConnect("ann", "wrong")).as("CONNACK for a wrong password").isEqualTo(4);
                    assertThat(subscriber.tryConnect("ann", "s3cret")).as("CONNACK for ann").isZero();
                } else {
                    subscriber.connect(true);
                }
                subscriber.subscribe("dist/" + distribution, 1);
                publisher.connect(true); // anonymous, on the default 127.0.0.1 listener
                publisher.publish("dist/" + distribution, "from " + extension, 1);
                assertThat(subscriber.next(10))
                        .isEqualTo(new PahoClient.Received("dist/" + distribution, "from " + extension, 1));
                subscriber.disconnect();
                publisher.disconnect();
            }

            assertThat(broker.stop()).as("exit code after SIGTERM").isZero();
            assertThat(broker.output().contains("Cairn stopped in")).isTrue();
        }
    }

    @Test
    @DisplayName("target/cairn, the folder the README runs, is the full distribution")
    void runtimeFolderIsTheFullDistribution() throws Exception {
        Path full = Path.of(System.getProperty("cairn.distributions")).resolve("cairn-full-" + VERSION);
        Path folder = Runtimes.assembled();
        assertThat(Files.readString(folder.resolve("bundles.txt"))).isEqualTo(Files.readString(full.resolve("bundles.txt")));
        assertThat(Files.readString(folder.resolve("lib/distribution.properties")))
                .contains("name = cairn-full", "title = Cairn", "version = " + VERSION);
        for (String cfg : List.of("io.cairn.kernel.cfg", "io.cairn.transport.tcp-default.cfg", "logback.xml",
                "jvm.options")) {
            assertThat(Files.readString(folder.resolve("etc").resolve(cfg)))
                    .isEqualTo(Files.readString(full.resolve("etc").resolve(cfg)));
        }
    }

    /** Every jar of {@code home} is in its bundles.txt, and every line's SHA-256 is its file's. */
    static List<RuntimeProcess.Listed> checkBundleList(Path home) throws Exception {
        List<RuntimeProcess.Listed> listed = RuntimeProcess.bundleList(home);
        assertThat(listed.stream().map(b -> b.folder() + '/' + b.file()).sorted().toList())
                .as("the jars bundles.txt lists").isEqualTo(RuntimeProcess.jars(home));
        for (RuntimeProcess.Listed bundle : listed) {
            assertThat(RuntimeProcess.sha256(home.resolve(bundle.folder()).resolve(bundle.file())))
                    .as("SHA-256 of " + bundle.folder() + '/' + bundle.file()).isEqualTo(bundle.sha256());
        }
        return listed;
    }
}
