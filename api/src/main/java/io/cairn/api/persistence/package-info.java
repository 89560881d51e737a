/**
 * Persistence SPI: the {@link io.cairn.api.persistence.SessionStore} that keeps MQTT sessions (subscriptions,
 * queued and in-flight QoS 1/2 messages, QoS 2 packet-id state, will) and the
 * {@link io.cairn.api.persistence.RetainedStore} that keeps retained messages.
 *
 * <p>The kernel keeps the live state of every session in memory and writes each change through to the active
 * store, in the order the changes happen; a store is read when the kernel starts, when a session that is not
 * in memory connects, and when the kernel switches from one store to another. Every store implementation must
 * pass the contract suite published in this module's test-jar ({@code io.cairn.api.persistence.tck}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.cairn.api.persistence;
