package io.cairn.persistence.file.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of the file store: {@code etc/io.cairn.persistence.file.cfg}. Describes the keys for
 * metatype; {@link FileStoreComponent} reads and validates the raw properties ({@link FileStoreConfig}).
 */
@ObjectClassDefinition(name = "Cairn file store",
        description = "Durable sessions and retained messages on an append-only log in a directory.")
public @interface FileStoreConfiguration {

    /** The store directory; a relative path is resolved against {@code cairn.home}. */
    @AttributeDefinition(name = "Directory", description = "Where the segment files live (relative to cairn.home).")
    String directory() default FileStoreConfig.DEFAULT_DIRECTORY;

    /** {@code sync} or {@code periodic}. */
    @AttributeDefinition(name = "Durability", description = "sync: sync() waits for fsync (group commit); "
            + "periodic: fsync every fsyncIntervalMillis, sync() returns at once.")
    String durability() default "sync";

    /** In periodic mode, how often the log is forced to disk. */
    @AttributeDefinition(name = "Fsync interval (ms)", min = "1")
    long fsyncIntervalMillis() default 1000;

    /** The size at which the log rolls over to a new segment file. */
    @AttributeDefinition(name = "Segment size (bytes)", min = "4096")
    long segmentBytes() default 64L << 20;

    /** Compact when live bytes / total bytes of the closed segments falls below this. */
    @AttributeDefinition(name = "Compaction threshold", min = "0", max = "1")
    double compactionThreshold() default 0.5;

    /** The rank of the two store services; the memory stores have 0. */
    @AttributeDefinition(name = "Ranking")
    int service_ranking() default FileStoreConfig.DEFAULT_RANKING;
}
