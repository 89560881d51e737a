/**
 * The TLS listener for MQTT ({@code mqtts}): {@link io.cairn.transport.tls.TlsTransport} binds one address through
 * the kernel's event loops, puts Netty's {@code SslHandler} in front of every accepted connection and hands it to
 * the kernel's MQTT pipeline. {@link io.cairn.transport.tls.TlsSettings} describes the key, the certificate chain,
 * the client-certificate check and the protocol versions. Embedded users construct both directly; in the OSGi
 * runtime one listener is created per {@code etc/io.cairn.transport.tls-<name>.cfg} file.
 *
 * <p>{@link io.cairn.transport.tls.TlsFront} (since 1.1) is the TLS side of a listener (context, rotation, the
 * handler in front of the pipeline) for other transports that speak TLS first, such as WebSocket's {@code wss}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.cairn.transport.tls;
