package io.cairn.api.auth;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One run of an authentication method with one client: from the CONNECT (or the AUTH that asks for
 * re-authentication) to success or failure. The kernel calls {@link #step} once with the client's first
 * Authentication Data and once more for each AUTH the client answers a challenge with, never concurrently; the
 * exchange keeps whatever state the method needs between steps. Dropped when the exchange ends or the
 * connection closes.
 */
@ConsumerType
public interface AuthExchange {

    /**
     * Takes the client's Authentication Data ({@code null} when the packet had none) and answers with the next
     * step. Called on a network thread: the answer MAY complete later on any thread (for a database lookup, say)
     * but MUST NOT block the caller. An answer that does not come within the broker's connect timeout, or
     * completes exceptionally, refuses the client with 0x87 (Not authorized).
     */
    CompletionStage<AuthStep> step(byte[] clientData);
}
