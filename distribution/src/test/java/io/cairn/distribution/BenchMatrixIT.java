package io.cairn.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bench/matrix.sh}, the comparison with Mosquitto that docs/benchmarks.md tells users to run, in a
 * very short form (one-second runs, one repeat, a few hundred connections): every cell must run against both
 * brokers with every QoS 1/2 run verified, and the table must come out. The pair cells also run at MQTT 5
 * ({@code PROTOCOLS="4 5" PROTOCOL_CELLS=pair}), so the table compares the two levels. It checks that the script,
 * the load tool and the default distribution work together, not how fast anything is.
 */
class BenchMatrixIT {

    @TempDir
    Path out;

    @Test
    @DisplayName("bench/matrix.sh runs every cell against Cairn and Mosquitto, the pair cells also at MQTT 5, and"
            + " prints the table with ratios and the MQTT 5 vs 3.1.1 comparison")
    void matrixRunsEveryCellAndPrintsTheTable() throws Exception {
        requireTools();
        Path script = Path.of(System.getProperty("cairn.bench.matrix"));
        assertThat(script).as("the matrix script").isRegularFile();

        ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        builder.environment().put("DURATION", "1");
        builder.environment().put("WARMUP", "0");
        builder.environment().put("REPEAT", "1");
        builder.environment().put("CONNS_REPEAT", "1");
        builder.environment().put("CONNS", "300");
        builder.environment().put("SOURCES", "2");
        builder.environment().put("PROTOCOLS", "4 5");
        builder.environment().put("PROTOCOL_CELLS", "pair");
        builder.environment().put("OUT", out.toString());
        builder.environment().put("CAIRN_PORT", String.valueOf(Runtimes.freePort()));
        builder.environment().put("MOSQUITTO_PORT", String.valueOf(Runtimes.freePort()));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process matrix = builder.start();
        ProcessOutput output = new ProcessOutput(matrix.getInputStream(), "matrix");
        try {
            assertThat(matrix.waitFor(10, TimeUnit.MINUTES)).as("matrix.sh finished:\n" + output.text()).isTrue();
        } finally {
            matrix.destroyForcibly();
        }
        assertThat(matrix.exitValue()).as("matrix.sh exit code (1: a run lost, duplicated or reordered "
                + "messages):\n" + output.text()).isZero();

        String table = Files.readString(out.resolve("table.md"));
        for (String cell : List.of("1:1 QoS 0", "20:1 fan-in QoS 0", "1:20 fan-out QoS 0", "20-client mesh QoS 0",
                "1:1 QoS 1", "20:1 fan-in QoS 1", "1:20 fan-out QoS 1", "20-client mesh QoS 1", "1:1 QoS 2")) {
            assertThat(table.lines()).as("a row for " + cell)
                    .anyMatch(line -> line.startsWith("| " + cell + " |") && line.matches(".*\\| [0-9.]+x \\|.*"));
        }
        for (String cell : List.of("1:1 QoS 0 (MQTT 5)", "1:1 QoS 1 (MQTT 5)", "1:1 QoS 2 (MQTT 5)")) {
            assertThat(table.lines()).as("a row for " + cell)
                    .anyMatch(line -> line.startsWith("| " + cell + " |") && line.matches(".*\\| [0-9.]+x \\|.*"));
        }
        assertThat(table.lines()).as("the MQTT 5 vs 3.1.1 comparison of the pair cells")
                .anyMatch(line -> line.startsWith("| MQTT 5 vs 3.1.1 | Cairn 3.1.1 | Cairn 5 |"))
                .anyMatch(line -> line.startsWith("| 1:1 QoS 2 msg/s |"))
                .anyMatch(line -> line.startsWith("Cairn at MQTT 5 within 10% of MQTT 3.1.1 in every row: "));
        assertThat(table.lines()).as("latency and connection rows for both brokers")
                .anyMatch(line -> line.startsWith("| Cairn | 20,000 |"))
                .anyMatch(line -> line.startsWith("| Mosquitto | 20,000 |"))
                .anyMatch(line -> line.startsWith("| Cairn | 300 |"))
                .anyMatch(line -> line.startsWith("| Mosquitto | 300 |"));
        List<String> runs = Files.readAllLines(out.resolve("results.jsonl"));
        assertThat(runs).as("one JSON line per broker per cell (11 cells, 3 of them also at MQTT 5)").hasSize(28)
                .allMatch(line -> line.contains("\"ok\":true"), "every run verified");
        assertThat(runs.stream().filter(line -> line.contains("\"label\":\"mosquitto\""))).hasSize(14);
        assertThat(runs.stream().filter(line -> line.contains("\"protocol\":5"))).hasSize(6)
                .allMatch(line -> line.contains("\"scenario\":\"pair\"") && line.contains("\"rejected\":0"));
    }

    private static void requireTools() {
        boolean mosquitto = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) || onPath("mosquitto");
        boolean ok = mosquitto && onPath("taskset") && onPath("node") && Runtime.getRuntime().availableProcessors() >= 2;
        if (!ok) {
            String message = "bench/matrix.sh needs mosquitto (apt-get install mosquitto), taskset, node and two "
                    + "cores; .ci/run installs mosquitto";
            if (System.getenv("CI") != null) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
