package io.cairn.client;

/** A failure reported by the MQTT client; the futures of the client fail with this type or a subtype. */
public class MqttClientException extends RuntimeException {

    public MqttClientException(String message) {
        super(message);
    }

    public MqttClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
