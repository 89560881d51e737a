package io.cairn.transport.tls.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Captures what slf4j-simple writes (it writes to the current {@code System.err}) while a test runs, and gives
 * back the ERROR lines, or every line.
 */
public final class ErrorLog implements AutoCloseable {

    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    public ErrorLog() {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    /** Every line written so far. */
    public List<String> lines() {
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** The ERROR lines written so far. */
    public List<String> errors() {
        return captured.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains(" ERROR ")).toList();
    }

    /** Stops capturing and writes what was captured to the original stream. */
    @Override
    public void close() {
        System.setErr(original);
        original.print(captured.toString(StandardCharsets.UTF_8));
    }
}
