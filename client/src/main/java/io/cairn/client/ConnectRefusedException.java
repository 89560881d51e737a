package io.cairn.client;

/** The server answered CONNECT with a CONNACK that refuses the connection. */
public class ConnectRefusedException extends MqttClientException {

    private final int returnCode;

    /** A refusal with the CONNACK's return code. */
    public ConnectRefusedException(int returnCode) {
        super("connection refused by the server: " + ConnectReturnCode.describe(returnCode));
        this.returnCode = returnCode;
    }

    /** The CONNACK return code as on the wire. */
    public int returnCode() {
        return returnCode;
    }

    /** The return code, or {@code null} if the server sent one the specification does not define. */
    public ConnectReturnCode reason() {
        return ConnectReturnCode.of(returnCode);
    }
}
