package io.cairn.kernel.testsupport;

import io.cairn.api.auth.EnhancedAuthenticator;
import io.cairn.api.auth.ServerRedirector;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.embedded.EmbeddedBroker;
import java.util.ArrayList;
import java.util.List;

/**
 * The broker limits a test runs with: a mutable, fluent copy of the {@link BrokerSettings} knobs, starting from
 * the values the conformance suite assumes (1 MiB packets, 32 in flight, 1000 queued, 1.5 x keep-alive).
 */
public final class BrokerConfig {

    private int maxPacketSize = 1 << 20;
    private int maxInflight = 32;
    private int maxQueuedMessages = 1000;
    private int maxTopicLength = 65535;
    private int maxTopicLevels = 64;
    private double keepAliveGrace = 1.5;
    private int connectTimeoutSeconds = 10;
    private int receiveMaximum = 65_535;
    private int topicAliasMaximum = 64;
    private int maxKeepAlive = 0;
    private final List<EnhancedAuthenticator> authenticators = new ArrayList<>();
    private final List<ServerRedirector> redirectors = new ArrayList<>();

    /** The suite's defaults. */
    public static BrokerConfig standard() {
        return new BrokerConfig();
    }

    /** An independent copy. */
    public BrokerConfig copy() {
        BrokerConfig c = new BrokerConfig();
        c.maxPacketSize = maxPacketSize;
        c.maxInflight = maxInflight;
        c.maxQueuedMessages = maxQueuedMessages;
        c.maxTopicLength = maxTopicLength;
        c.maxTopicLevels = maxTopicLevels;
        c.keepAliveGrace = keepAliveGrace;
        c.connectTimeoutSeconds = connectTimeoutSeconds;
        c.receiveMaximum = receiveMaximum;
        c.topicAliasMaximum = topicAliasMaximum;
        c.maxKeepAlive = maxKeepAlive;
        c.authenticators.addAll(authenticators);
        c.redirectors.addAll(redirectors);
        return c;
    }

    public BrokerConfig maxPacketSize(int bytes) {
        this.maxPacketSize = bytes;
        return this;
    }

    public BrokerConfig maxInflight(int messages) {
        this.maxInflight = messages;
        return this;
    }

    public BrokerConfig maxQueuedMessages(int messages) {
        this.maxQueuedMessages = messages;
        return this;
    }

    public BrokerConfig maxTopicLength(int bytes) {
        this.maxTopicLength = bytes;
        return this;
    }

    public BrokerConfig maxTopicLevels(int levels) {
        this.maxTopicLevels = levels;
        return this;
    }

    public BrokerConfig keepAliveGrace(double factor) {
        this.keepAliveGrace = factor;
        return this;
    }

    public BrokerConfig connectTimeoutSeconds(int seconds) {
        this.connectTimeoutSeconds = seconds;
        return this;
    }

    public BrokerConfig receiveMaximum(int messages) {
        this.receiveMaximum = messages;
        return this;
    }

    public BrokerConfig topicAliasMaximum(int aliases) {
        this.topicAliasMaximum = aliases;
        return this;
    }

    public BrokerConfig maxKeepAlive(int seconds) {
        this.maxKeepAlive = seconds;
        return this;
    }

    /** Adds an MQTT 5 authentication method the broker offers. */
    public BrokerConfig enhancedAuthenticator(EnhancedAuthenticator authenticator) {
        authenticators.add(authenticator);
        return this;
    }

    /** Adds a server redirector the broker asks at each CONNECT. */
    public BrokerConfig serverRedirector(ServerRedirector redirector) {
        redirectors.add(redirector);
        return this;
    }

    /** The plugins to hand the embedded broker's builder. */
    public EmbeddedBroker.Builder plugins(EmbeddedBroker.Builder builder) {
        authenticators.forEach(builder::enhancedAuthenticator);
        redirectors.forEach(builder::serverRedirector);
        return builder;
    }

    /** The kernel's settings for these values. */
    public BrokerSettings toSettings() {
        return BrokerSettings.builder()
                .maxPacketSize(maxPacketSize)
                .maxInflight(maxInflight)
                .maxQueuedMessages(maxQueuedMessages)
                .maxTopicLength(maxTopicLength)
                .maxTopicLevels(maxTopicLevels)
                .keepAliveGrace(keepAliveGrace)
                .connectTimeoutSeconds(connectTimeoutSeconds)
                .receiveMaximum(receiveMaximum)
                .topicAliasMaximum(topicAliasMaximum)
                .maxKeepAlive(maxKeepAlive)
                .build();
    }

    @Override
    public String toString() {
        return "BrokerConfig[maxPacketSize=" + maxPacketSize + ", maxInflight=" + maxInflight + ", maxQueuedMessages="
                + maxQueuedMessages + ", maxTopicLength=" + maxTopicLength + ", maxTopicLevels=" + maxTopicLevels
                + ", keepAliveGrace=" + keepAliveGrace + ", connectTimeoutSeconds=" + connectTimeoutSeconds
                + ", receiveMaximum=" + receiveMaximum + ", topicAliasMaximum=" + topicAliasMaximum
                + ", maxKeepAlive=" + maxKeepAlive + "]";
    }
}
