package io.cairn.bench;

/** Ends a run early with an exit code and a message for the user. */
final class BenchException extends RuntimeException {

    /** Exit code: the options cannot be used (a CA file that does not load, a TLS provider that is missing). */
    static final int USAGE = 2;

    /** Exit code: the broker could not be reached, refused the CONNECT or a SUBSCRIBE. */
    static final int CONNECT_FAILED = 3;

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    BenchException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    BenchException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** The process exit code this failure maps to. */
    int exitCode() {
        return exitCode;
    }
}
