package io.cairn.api.intercept;

import io.cairn.api.message.Message;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The asynchronous form of {@link PublishInterceptor}, for an interceptor that must wait for something (a lookup,
 * a remote check). The message waits until the stage completes, at most the service's
 * {@link InterceptorProperties#BUDGET_MILLIS}; then (or when the stage fails) its
 * {@link InterceptorProperties#ON_FAILURE} outcome applies. Messages of one client keep their order: a client's next
 * message is not routed before the previous one's outcome.
 */
@ConsumerType
public interface AsyncPublishInterceptor {

    CompletionStage<PublishOutcome> onPublish(ClientView publisher, Message message);
}
