/**
 * The WebSocket listener for MQTT ({@code ws}, and {@code wss} with TLS): {@link io.cairn.transport.ws.WsTransport}
 * binds one address through the kernel's event loops, answers the HTTP upgrade on one path with the {@code mqtt}
 * sub-protocol, and hands the binary frames' contents to the kernel's MQTT pipeline.
 * {@link io.cairn.transport.ws.WsSettings} describes the path, the sub-protocols, the allowed browser origins, the
 * largest frame, the upgrade timeout and, for {@code wss}, the {@link io.cairn.transport.tls.TlsSettings} of the
 * TLS listener. Embedded users construct both directly; in the OSGi runtime one listener is created per
 * {@code etc/io.cairn.transport.ws-<name>.cfg} file.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cairn.transport.ws;
