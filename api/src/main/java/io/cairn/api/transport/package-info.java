/**
 * Transport SPI: a {@link io.cairn.api.transport.Transport} binds listeners and accepts connections; the
 * kernel hands it a {@link io.cairn.api.transport.TransportContext} with the kernel's event loops and the MQTT
 * pipeline. A transport adds only its front handlers (TLS, WebSocket framing) and never keeps a connection's
 * state, so connections outlive the transport bundle that accepted them.
 *
 * <p>This is the only API package that uses Netty types; it imports {@code io.netty} in the range {@code [4.2,5)}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.cairn.api.transport;
