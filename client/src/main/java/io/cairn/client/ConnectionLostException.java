package io.cairn.client;

/**
 * The connection an operation depended on ended before the operation completed, or could not be established.
 */
public class ConnectionLostException extends MqttClientException {

    public ConnectionLostException(String message) {
        super(message);
    }

    public ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
