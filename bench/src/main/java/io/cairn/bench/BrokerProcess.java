package io.cairn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a broker process's CPU time and resident memory from Linux {@code /proc}. */
final class BrokerProcess {

    /** Clock ticks per second of {@code /proc/<pid>/stat} times (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100.0;

    private final int pid;

    BrokerProcess(int pid) {
        this.pid = pid;
    }

    /**
     * Checks that the process can be read.
     *
     * @throws BenchException usage error if there is no such process or /proc is not readable
     */
    void check() {
        try {
            cpuSeconds();
            rssKib();
        } catch (RuntimeException e) {
            throw new BenchException(2, "--broker-pid " + pid + ": cannot read /proc/" + pid + " ("
                    + e.getMessage() + ")", e);
        }
    }

    /** User plus system CPU seconds the process used so far. */
    double cpuSeconds() {
        String stat = read("stat");
        // the command name is in parentheses and may contain spaces: fields are counted after the last ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        return (utime + stime) / TICKS_PER_SECOND;
    }

    /** The resident set size in KiB (VmRSS). */
    long rssKib() {
        for (String line : read("status").split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
    }

    private String read(String file) {
        try {
            return Files.readString(Path.of("/proc", String.valueOf(pid), file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/" + file + ": " + e.getMessage(), e);
        }
    }
}
