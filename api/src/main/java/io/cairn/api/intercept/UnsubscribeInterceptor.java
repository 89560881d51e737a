package io.cairn.api.intercept;

import io.cairn.api.message.ReasonCode;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees each topic filter of an UNSUBSCRIBE: lets it through ({@code null}) or refuses it with an UNSUBACK reason
 * code (MQTT 5 only; an MQTT 3.1.1 UNSUBACK cannot refuse, so the subscription stays and the UNSUBACK is sent).
 */
@ConsumerType
public interface UnsubscribeInterceptor {

    /** {@code null} to let it through, or an error reason code to keep the subscription. */
    ReasonCode onUnsubscribe(ClientView client, String topicFilter);
}
