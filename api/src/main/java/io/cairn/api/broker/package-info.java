/**
 * The running broker as a service: its clients, sessions, listeners and counters, and the operations an
 * operator or a plugin performs on it. The kernel provides {@link io.cairn.api.broker.Broker}; shell commands,
 * {@code $SYS} and metrics consume it.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package io.cairn.api.broker;
