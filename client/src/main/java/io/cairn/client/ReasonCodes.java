package io.cairn.client;

/**
 * The MQTT 5 reason codes (MQTT 5.0 §2.4) as the bytes on the wire, with their names. A code below
 * {@code 0x80} reports success; from {@code 0x80} on it reports failure. The same byte may have different names
 * in different packets ({@code 0x00} is Success, Normal disconnection and Granted QoS 0); {@link #describe(int)}
 * gives the common name.
 *
 * @since 1.1.0
 */
public final class ReasonCodes {

    public static final int SUCCESS = 0x00;
    public static final int NORMAL_DISCONNECTION = 0x00;
    public static final int GRANTED_QOS_0 = 0x00;
    public static final int GRANTED_QOS_1 = 0x01;
    public static final int GRANTED_QOS_2 = 0x02;
    public static final int DISCONNECT_WITH_WILL_MESSAGE = 0x04;
    public static final int NO_MATCHING_SUBSCRIBERS = 0x10;
    public static final int NO_SUBSCRIPTION_EXISTED = 0x11;
    public static final int CONTINUE_AUTHENTICATION = 0x18;
    public static final int RE_AUTHENTICATE = 0x19;
    public static final int UNSPECIFIED_ERROR = 0x80;
    public static final int MALFORMED_PACKET = 0x81;
    public static final int PROTOCOL_ERROR = 0x82;
    public static final int IMPLEMENTATION_SPECIFIC_ERROR = 0x83;
    public static final int UNSUPPORTED_PROTOCOL_VERSION = 0x84;
    public static final int CLIENT_IDENTIFIER_NOT_VALID = 0x85;
    public static final int BAD_USER_NAME_OR_PASSWORD = 0x86;
    public static final int NOT_AUTHORIZED = 0x87;
    public static final int SERVER_UNAVAILABLE = 0x88;
    public static final int SERVER_BUSY = 0x89;
    public static final int BANNED = 0x8A;
    public static final int SERVER_SHUTTING_DOWN = 0x8B;
    public static final int BAD_AUTHENTICATION_METHOD = 0x8C;
    public static final int KEEP_ALIVE_TIMEOUT = 0x8D;
    public static final int SESSION_TAKEN_OVER = 0x8E;
    public static final int TOPIC_FILTER_INVALID = 0x8F;
    public static final int TOPIC_NAME_INVALID = 0x90;
    public static final int PACKET_IDENTIFIER_IN_USE = 0x91;
    public static final int PACKET_IDENTIFIER_NOT_FOUND = 0x92;
    public static final int RECEIVE_MAXIMUM_EXCEEDED = 0x93;
    public static final int TOPIC_ALIAS_INVALID = 0x94;
    public static final int PACKET_TOO_LARGE = 0x95;
    public static final int MESSAGE_RATE_TOO_HIGH = 0x96;
    public static final int QUOTA_EXCEEDED = 0x97;
    public static final int ADMINISTRATIVE_ACTION = 0x98;
    public static final int PAYLOAD_FORMAT_INVALID = 0x99;
    public static final int RETAIN_NOT_SUPPORTED = 0x9A;
    public static final int QOS_NOT_SUPPORTED = 0x9B;
    public static final int USE_ANOTHER_SERVER = 0x9C;
    public static final int SERVER_MOVED = 0x9D;
    public static final int SHARED_SUBSCRIPTIONS_NOT_SUPPORTED = 0x9E;
    public static final int CONNECTION_RATE_EXCEEDED = 0x9F;
    public static final int MAXIMUM_CONNECT_TIME = 0xA0;
    public static final int SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED = 0xA1;
    public static final int WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED = 0xA2;

    private static final String[] NAMES = new String[256];

    static {
        NAMES[0x00] = "success";
        NAMES[0x01] = "granted QoS 1";
        NAMES[0x02] = "granted QoS 2";
        NAMES[0x04] = "disconnect with will message";
        NAMES[0x10] = "no matching subscribers";
        NAMES[0x11] = "no subscription existed";
        NAMES[0x18] = "continue authentication";
        NAMES[0x19] = "re-authenticate";
        NAMES[0x80] = "unspecified error";
        NAMES[0x81] = "malformed packet";
        NAMES[0x82] = "protocol error";
        NAMES[0x83] = "implementation specific error";
        NAMES[0x84] = "unsupported protocol version";
        NAMES[0x85] = "client identifier not valid";
        NAMES[0x86] = "bad user name or password";
        NAMES[0x87] = "not authorized";
        NAMES[0x88] = "server unavailable";
        NAMES[0x89] = "server busy";
        NAMES[0x8A] = "banned";
        NAMES[0x8B] = "server shutting down";
        NAMES[0x8C] = "bad authentication method";
        NAMES[0x8D] = "keep alive timeout";
        NAMES[0x8E] = "session taken over";
        NAMES[0x8F] = "topic filter invalid";
        NAMES[0x90] = "topic name invalid";
        NAMES[0x91] = "packet identifier in use";
        NAMES[0x92] = "packet identifier not found";
        NAMES[0x93] = "receive maximum exceeded";
        NAMES[0x94] = "topic alias invalid";
        NAMES[0x95] = "packet too large";
        NAMES[0x96] = "message rate too high";
        NAMES[0x97] = "quota exceeded";
        NAMES[0x98] = "administrative action";
        NAMES[0x99] = "payload format invalid";
        NAMES[0x9A] = "retain not supported";
        NAMES[0x9B] = "QoS not supported";
        NAMES[0x9C] = "use another server";
        NAMES[0x9D] = "server moved";
        NAMES[0x9E] = "shared subscriptions not supported";
        NAMES[0x9F] = "connection rate exceeded";
        NAMES[0xA0] = "maximum connect time";
        NAMES[0xA1] = "subscription identifiers not supported";
        NAMES[0xA2] = "wildcard subscriptions not supported";
    }

    private ReasonCodes() {
    }

    /** Whether {@code code} reports a failure: {@code 0x80} or above. */
    public static boolean isError(int code) {
        return code >= 0x80;
    }

    /** The specification's name of {@code code}, e.g. {@code not authorized}, or {@code unknown reason code}. */
    public static String name(int code) {
        String n = code >= 0 && code < NAMES.length ? NAMES[code] : null;
        return n == null ? "unknown reason code" : n;
    }

    /** {@code name (0xNN)}, e.g. {@code session taken over (0x8E)}. */
    public static String describe(int code) {
        return name(code) + String.format(" (0x%02X)", code);
    }
}
