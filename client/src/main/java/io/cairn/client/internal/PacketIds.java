package io.cairn.client.internal;

import java.util.BitSet;

/** The packet identifiers in use by a session's outgoing flows (1 to 65535). Confined to the event loop. */
final class PacketIds {

    static final int MAX = 65535;

    private final BitSet used = new BitSet(MAX + 1);
    private int next = 1;
    private int inUse;

    /** A free identifier, now in use, or 0 if all 65535 are taken. */
    int acquire() {
        if (inUse >= MAX) {
            return 0;
        }
        while (true) {
            int id = next;
            next = id == MAX ? 1 : id + 1;
            if (!used.get(id)) {
                used.set(id);
                inUse++;
                return id;
            }
        }
    }

    /** Marks {@code id} free again; does nothing if it was free. */
    void release(int id) {
        if (id > 0 && used.get(id)) {
            used.clear(id);
            inUse--;
        }
    }

    int inUse() {
        return inUse;
    }
}
