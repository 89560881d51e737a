package io.cairn.kernel.delivery;

/**
 * A connection whose writes are flushed in batches: once per read batch or event-loop turn, never per message.
 */
public interface Flushable {

    /** Flushes what was written since the last flush. Called on the connection's event loop. */
    void flushNow();
}
