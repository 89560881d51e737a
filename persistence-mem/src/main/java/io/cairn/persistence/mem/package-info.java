/**
 * Stores that keep MQTT sessions and retained messages in memory: {@link io.cairn.persistence.mem.MemorySessionStore}
 * and {@link io.cairn.persistence.mem.MemoryRetainedStore}.
 *
 * <p>Each is a Declarative Services component registered at {@code service.ranking} 0, so any other store
 * outranks it, and a plain class that an embedded broker constructs directly. Their state lives as long as the
 * component instance: it survives a restart of the kernel bundle inside the same JVM and can be moved to
 * another store, but not a restart of this bundle or of the JVM.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cairn.persistence.mem;
