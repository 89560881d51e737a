package io.cairn.kernel.protocol;

import io.cairn.api.message.ReasonCode;
import java.util.BitSet;

/**
 * The reason codes each acknowledgement may carry (MQTT 5.0 §3.2.2.2, §3.4.2.1, §3.5.2.1, §3.9.3, §3.11.3): a
 * plugin (authenticator, interceptor) may name any {@link ReasonCode}, the client gets only one its packet allows.
 */
public final class AckCodes {

    /** MQTT-3.2.2-8: CONNACK uses only the defined Connect Reason Codes. */
    private static final BitSet CONNACK = codes(0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
            0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F);
    /** MQTT-3.4.2-1, MQTT-3.5.2-1: PUBACK and PUBREC share their set. */
    private static final BitSet PUBACK = codes(0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99);
    /** MQTT-3.9.3-2. */
    private static final BitSet SUBACK = codes(0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1,
            0xA2);
    /** MQTT-3.11.3-2. */
    private static final BitSet UNSUBACK = codes(0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91);

    private AckCodes() {
    }

    /** {@code refusal} if a CONNACK may carry it, else Unspecified error. */
    public static ReasonCode connack(ReasonCode refusal) {
        return CONNACK.get(refusal.code()) ? refusal : ReasonCode.UNSPECIFIED_ERROR;
    }

    /** {@code reason} if a PUBACK or PUBREC may carry it, else Success or Unspecified error, as it is an error. */
    public static ReasonCode puback(ReasonCode reason) {
        return PUBACK.get(reason.code()) ? reason : reason.isError() ? ReasonCode.UNSPECIFIED_ERROR : ReasonCode.SUCCESS;
    }

    /** {@code refusal} if a SUBACK may carry it, else Unspecified error. */
    public static ReasonCode suback(ReasonCode refusal) {
        return SUBACK.get(refusal.code()) ? refusal : ReasonCode.UNSPECIFIED_ERROR;
    }

    /** {@code refusal} if an UNSUBACK may carry it, else Unspecified error. */
    public static ReasonCode unsuback(ReasonCode refusal) {
        return UNSUBACK.get(refusal.code()) ? refusal : ReasonCode.UNSPECIFIED_ERROR;
    }

    private static BitSet codes(int... codes) {
        BitSet set = new BitSet(256);
        for (int code : codes) {
            set.set(code);
        }
        return set;
    }
}
