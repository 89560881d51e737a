package io.cairn.kernel.auth;

/**
 * The security of one listener: holds its current {@link Chain}. One object per listener name for the kernel's
 * life, so a connection keeps it across changes of the chain and of the listener itself (a transport that is
 * updated registers the same name again), and each packet reads the chain in force now.
 */
public final class ListenerGuard {

    private final String listener;
    private volatile Chain chain;

    ListenerGuard(String listener, Chain chain) {
        this.listener = listener;
        this.chain = chain;
    }

    public String listener() {
        return listener;
    }

    /** The chain in force now. */
    public Chain chain() {
        return chain;
    }

    void chain(Chain value) {
        chain = value;
    }
}
