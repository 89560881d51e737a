package io.cairn.client;

/** The client was closed before the operation completed, or the operation was started after close(). */
public class ClientClosedException extends MqttClientException {

    public ClientClosedException(String message) {
        super(message);
    }
}
