package io.cairn.kernel.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** The kernel's configuration (PID {@code io.cairn.kernel}, file {@code etc/io.cairn.kernel.cfg}). */
@ObjectClassDefinition(name = "Cairn kernel", description = "Limits and timings of the MQTT engine")
public @interface KernelConfiguration {

    @AttributeDefinition(description = "Largest packet accepted from a client, in bytes")
    int maxPacketSize() default 1 << 20;

    @AttributeDefinition(description = "Outgoing QoS 1/2 messages in flight per client")
    int maxInflight() default 32;

    @AttributeDefinition(description = "Messages queued per session before messages are dropped, QoS 0 first")
    int maxQueuedMessages() default 1000;

    @AttributeDefinition(description = "Messages queued for each bridge (its $bridge/ session) before messages are dropped")
    int bridgeMaxQueuedMessages() default 100_000;

    @AttributeDefinition(description = "Seconds between publications of the $SYS/broker/ tree; 0 turns it off")
    int sysInterval() default 0;

    @AttributeDefinition(description = "Failures (exceptions, overruns) one bundle's interceptors may have within a "
            + "minute; one more stops (quarantines) the bundle")
    int interceptorErrorBudget() default 100;

    @AttributeDefinition(description = "Longest topic name or filter, in UTF-8 bytes")
    int maxTopicLength() default 65_535;

    @AttributeDefinition(description = "Most levels in a topic name or filter")
    int maxTopicLevels() default 64;

    @AttributeDefinition(description = "Longest client identifier accepted from MQTT 3.1 clients")
    int maxClientIdLength() default 23;

    @AttributeDefinition(description = "Factor on the keep-alive after which a silent client is disconnected")
    double keepAliveGrace() default 1.5;

    @AttributeDefinition(description = "Seconds a new connection may take to send CONNECT")
    int connectTimeoutSeconds() default 10;

    @AttributeDefinition(description = "Event-loop threads serving connections (0: one per core)")
    int ioThreads() default 0;

    @AttributeDefinition(description = "Connections accepted at once (0: no limit)")
    int maxConnections() default 0;

    @AttributeDefinition(description = "MQTT 5: incoming QoS 2 messages a client may have awaiting PUBREL at once")
    int receiveMaximum() default 65_535;

    @AttributeDefinition(description = "MQTT 5: topic aliases a client may set towards the broker (0: none)")
    int topicAliasMaximum() default 64;

    @AttributeDefinition(description = "MQTT 5: the longest keep-alive a client may use, in seconds (0: the client's)")
    int maxKeepAlive() default 0;

    @AttributeDefinition(description = "MQTT 5: prefix of the Response Information a client may ask for (empty: none)")
    String responseInformation() default "response/";

    @AttributeDefinition(description = "A connected client's subscription its authorizers no longer allow",
            options = {@Option(value = "unsubscribe", label = "remove the subscription"),
                    @Option(value = "disconnect", label = "disconnect the client (MQTT 5: 0x87)")})
    String revokedSubscriptions() default "unsubscribe";

    @AttributeDefinition(description = "The store that keeps sessions and retained messages: the value of its "
            + "cairn.store service property (memory, file); empty: the one with the highest service.ranking. "
            + "When set, listeners open only once that store is there; a change switches stores live.")
    String persistence() default "";
}
