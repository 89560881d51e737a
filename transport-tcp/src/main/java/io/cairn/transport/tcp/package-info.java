/**
 * The plain TCP listener for MQTT: {@link io.cairn.transport.tcp.TcpTransport} binds one address through the
 * kernel's event loops and hands every accepted connection to the kernel's MQTT pipeline. Embedded users
 * construct it directly; in the OSGi runtime one listener is created per
 * {@code etc/io.cairn.transport.tcp-<name>.cfg} file.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cairn.transport.tcp;
