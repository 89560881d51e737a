package io.cairn.distribution.assembly;

/**
 * A distribution cannot be assembled: a descriptor is invalid, a bundle is missing from the pool or outside its
 * version range, or the bundles do not resolve together. The message names the distribution, the file or bundle,
 * and the problem, and is meant to be shown to the user as it is.
 */
public final class AssemblyException extends Exception {

    private static final long serialVersionUID = 1L;

    public AssemblyException(String message) {
        super(message);
    }

    public AssemblyException(String message, Throwable cause) {
        super(message, cause);
    }
}
