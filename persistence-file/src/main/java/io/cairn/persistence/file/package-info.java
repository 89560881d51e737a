/**
 * A durable session and retained store on an append-only, segmented log: {@link io.cairn.persistence.file.FileStore}
 * opened with {@link io.cairn.persistence.file.FileStoreSettings}, and what its start-up found,
 * {@link io.cairn.persistence.file.RecoveryReport}.
 *
 * <p>Exported so that embedded brokers, tests and the load tool can open a store without OSGi; inside the
 * framework the bundle's Declarative Services component opens one per configuration of PID
 * {@code io.cairn.persistence.file} and registers its two stores as services.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cairn.persistence.file;
