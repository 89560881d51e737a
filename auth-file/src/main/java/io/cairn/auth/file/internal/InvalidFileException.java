package io.cairn.auth.file.internal;

import java.util.List;

/**
 * A password or ACL file that was rejected as a whole, with every problem found, each as {@code file:line: problem}
 * (or {@code file: problem} when the file could not be read at all).
 */
public final class InvalidFileException extends Exception {

    private final List<String> problems;

    /** @param problems at least one, each naming the file and, where there is one, the line */
    public InvalidFileException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in file order. */
    public List<String> problems() {
        return problems;
    }
}
