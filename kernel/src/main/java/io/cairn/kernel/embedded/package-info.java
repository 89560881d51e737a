/**
 * Runs the Cairn kernel in-process without OSGi: {@link io.cairn.kernel.embedded.EmbeddedBroker#builder()} takes
 * transports, stores and {@link io.cairn.kernel.embedded.BrokerSettings} and returns a running broker. Tests and
 * library users use this; the OSGi component of the kernel is a thin wrapper around the same engine.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cairn.kernel.embedded;
