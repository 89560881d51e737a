package io.cairn.example.rewrite;

import io.cairn.api.intercept.ClientView;
import io.cairn.api.intercept.PublishInterceptor;
import io.cairn.api.intercept.PublishOutcome;
import io.cairn.api.message.Message;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A publish interceptor that moves messages from one topic scheme to another: one instance per
 * {@code etc/io.cairn.example.rewrite-<name>.cfg}, with a {@code from} filter and a {@code to} template
 * ({@link RewriteRule}). The configuration's other keys become service properties, so the file can also set
 * {@code service.ranking} (order among interceptors) and {@code cairn.intercept.listeners} (which listeners).
 *
 * <p>It is an example of the SPI: it depends on {@code io.cairn.api} only, does no I/O on the broker's threads,
 * and keeps no state but its rule.
 */
@Component(configurationPid = TopicRewriter.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = TopicRewriter.Config.class, factory = true)
public final class TopicRewriter implements PublishInterceptor {

    /** The factory configuration PID: one rule per {@code etc/io.cairn.example.rewrite-<name>.cfg}. */
    public static final String PID = "io.cairn.example.rewrite";

    private static final Logger LOG = LoggerFactory.getLogger(TopicRewriter.class);

    @ObjectClassDefinition(name = "Cairn topic rewriting rule")
    @interface Config {
        @AttributeDefinition(description = "Topic filter of the messages to move, e.g. sensors/+/temp")
        String from();

        @AttributeDefinition(description = "New topic; {1}, {2}... are the + levels, {#} what # matched")
        String to();
    }

    private final RewriteRule rule;

    /** @throws IllegalArgumentException for an invalid rule: the component does not start, SCR logs the reason */
    @Activate
    public TopicRewriter(Map<String, Object> configuration) {
        this(RewriteRule.of((String) configuration.get("from"), (String) configuration.get("to")));
        LOG.info("Rewriting topics {}", rule);
    }

    public TopicRewriter(RewriteRule rule) {
        this.rule = rule;
    }

    @Override
    public PublishOutcome onPublish(ClientView publisher, Message message) {
        String topic = rule.apply(message.topic());
        if (topic == null || topic.equals(message.topic())) {
            return PublishOutcome.pass();
        }
        return PublishOutcome.replace(Message.of(topic, message.payload(), message.qos(), message.retain(),
                message.properties()));
    }
}
