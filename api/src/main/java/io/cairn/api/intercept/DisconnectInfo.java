package io.cairn.api.intercept;

import io.cairn.api.message.ReasonCode;

/**
 * How a connection ended.
 *
 * @param byClient      the client sent DISCONNECT (otherwise the network failed, the broker closed it, or it was
 *                      taken over)
 * @param reason        the DISCONNECT reason code, the client's or the broker's ({@link ReasonCode#SUCCESS} for a
 *                      normal one)
 * @param willPublished whether the client's will was published (or scheduled, with an MQTT 5 will delay)
 */
public record DisconnectInfo(boolean byClient, ReasonCode reason, boolean willPublished) {
}
