package io.cairn.client;

/** The MQTT protocol version a client speaks; it decides the protocol name and level in CONNECT. */
public enum MqttProtocolVersion {
    /** MQTT 3.1: protocol name {@code MQIsdp}, level 3; client identifiers of 1 to 23 characters. */
    MQTT_3_1("MQIsdp", 3),
    /** MQTT 3.1.1: protocol name {@code MQTT}, level 4. */
    MQTT_3_1_1("MQTT", 4),
    /**
     * MQTT 5.0: protocol name {@code MQTT}, level 5; properties, reason codes, topic aliases, flow control and
     * enhanced authentication.
     *
     * @since 1.1.0
     */
    MQTT_5("MQTT", 5);

    private final String protocolName;
    private final int level;

    MqttProtocolVersion(String protocolName, int level) {
        this.protocolName = protocolName;
        this.level = level;
    }

    /** The protocol name sent in CONNECT. */
    public String protocolName() {
        return protocolName;
    }

    /** The protocol level sent in CONNECT. */
    public int level() {
        return level;
    }
}
