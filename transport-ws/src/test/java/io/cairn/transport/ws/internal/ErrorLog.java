package io.cairn.transport.ws.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Captures what slf4j-simple writes (it writes to the current {@code System.err}) while a test runs, and gives
 * back the ERROR lines.
 */
final class ErrorLog implements AutoCloseable {

    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    ErrorLog() {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    /** The ERROR lines written so far. */
    List<String> errors() {
        return captured.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains(" ERROR ")).toList();
    }

    @Override
    public void close() {
        System.setErr(original);
        original.print(captured.toString(StandardCharsets.UTF_8));
    }
}
