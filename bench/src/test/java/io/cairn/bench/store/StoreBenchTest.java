package io.cairn.bench.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Small runs of every workload: they complete, verify what the reopened store holds, and print two lines. */
class StoreBenchTest {

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = StoreBench.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "{0} on {1} ({2})")
    @CsvSource({
        "queue,    mem,     sync",
        "queue,    mvstore, sync",
        "queue,    mvstore, periodic",
        "queue,    file,    sync",
        "queue,    file,    periodic",
        "fanin,    file,    sync",
        "retained, file,    sync",
        "sessions, file,    periodic",
        "fanin,    mem,     sync",
        "fanin,    mvstore, sync",
        "retained, mem,     sync",
        "retained, mvstore, sync",
        "sessions, mem,     sync",
        "sessions, mvstore, periodic"})
    @DisplayName("a small run completes and its JSON line says ok")
    void smallRun(String workload, String store, String durability) {
        Path storeDir = dir.resolve("store");
        Run r = run(workload, "--store", store, "--durability", durability, "--dir", storeDir.toString(),
                "--threads", "3", "--messages", "500", "--warmup", "0", "--seconds", "60",
                "--fsync-interval-ms", "5");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        String[] lines = r.out().strip().split("\\R");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).startsWith(workload + " store=" + store);
        assertThat(lines[1]).startsWith("{").contains("\"ok\":true").contains("\"store\":\"" + store + "\"");
        if (workload.equals("retained")) {
            assertThat(lines[1]).contains("\"messages\":500");
        } else if (workload.equals("sessions")) {
            assertThat(lines[1]).contains("\"sessions\":500").contains("\"queued\":5000");
        } else {
            assertThat(lines[1]).contains("\"messages\":500");
        }
        assertThat(storeDir).as("the store directory is removed after the run").doesNotExist();
    }

    @Test
    @DisplayName("a --dir that holds files is refused with exit code 2, and left alone")
    void nonEmptyDirectoryRefused() throws Exception {
        Files.writeString(dir.resolve("precious"), "x");

        Run r = run("retained", "--store", "mvstore", "--dir", dir.toString(), "--messages", "1");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("not empty");
        assertThat(dir.resolve("precious")).exists();
    }
}
