package io.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The exact bytes of the packets the generator sends, at MQTT 3.1.1 and 5.0. */
class PacketsTest {

    private static final int RUN = 0x0a0b0c0d;

    private static byte[] encode(Consumer<ByteBuf> writer) {
        ByteBuf buf = Unpooled.buffer();
        try {
            writer.accept(buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    @DisplayName("CONNECT at level 5: clean start, property length 0 after the keep-alive, then the payload")
    void connect5() {
        byte[] packet = encode(out -> Packets.connect(out, 5, "cb1", 60, "u", "p"));

        assertThat(packet).containsExactly(bytes(
                0x10, 22,                          // CONNECT, remaining length
                0x00, 0x04, 'M', 'Q', 'T', 'T',    // protocol name
                0x05,                              // protocol level 5
                0xc2,                              // user name, password, clean start
                0x00, 60,                          // keep-alive
                0x00,                              // property length 0: Session Expiry Interval 0, no limits asked
                0x00, 0x03, 'c', 'b', '1',         // client id
                0x00, 0x01, 'u',                   // user name
                0x00, 0x01, 'p'));                 // password
    }

    @Test
    @DisplayName("CONNECT at level 5 may carry a password without a user name")
    void connect5PasswordOnly() {
        byte[] packet = encode(out -> Packets.connect(out, 5, "c", 0, null, "p"));

        assertThat(packet).containsExactly(bytes(
                0x10, 17,                          // CONNECT, remaining length
                0x00, 0x04, 'M', 'Q', 'T', 'T',    // protocol name
                0x05,                              // protocol level 5
                0x42,                              // password, clean start
                0x00, 0x00,                        // keep-alive: none
                0x00,                              // property length 0
                0x00, 0x01, 'c',                   // client id
                0x00, 0x01, 'p'));                 // password
    }

    @Test
    @DisplayName("CONNECT at level 4 is unchanged: no property length")
    void connect311() {
        byte[] packet = encode(out -> Packets.connect(out, 4, "cb1", 60, null, null));

        assertThat(packet).containsExactly(bytes(
                0x10, 15,                          // CONNECT, remaining length
                0x00, 0x04, 'M', 'Q', 'T', 'T',    // protocol name
                0x04,                              // protocol level 4
                0x02,                              // clean session
                0x00, 60,                          // keep-alive
                0x00, 0x03, 'c', 'b', '1'));       // client id
    }

    @Test
    @DisplayName("SUBSCRIBE at level 5: property length 0 after the packet id, an options byte with the QoS")
    void subscribe5() {
        byte[] packet = encode(out -> Packets.subscribe(out, 5, 1, "a/+", 2));

        assertThat(packet).containsExactly(bytes(
                0x82, 9,                           // SUBSCRIBE (flags 0010), remaining length
                0x00, 0x01,                        // packet id
                0x00,                              // property length 0
                0x00, 0x03, 'a', '/', '+',         // topic filter
                0x02));                            // options: QoS 2, No Local 0, Retain As Published 0, handling 0
    }

    @Test
    @DisplayName("SUBSCRIBE at level 4 is unchanged: no property length")
    void subscribe311() {
        byte[] packet = encode(out -> Packets.subscribe(out, 4, 1, "a/+", 1));

        assertThat(packet).containsExactly(bytes(
                0x82, 8,                           // SUBSCRIBE, remaining length
                0x00, 0x01,                        // packet id
                0x00, 0x03, 'a', '/', '+',         // topic filter
                0x01));                            // requested QoS
    }

    @Test
    @DisplayName("a PUBLISH template at level 5 has property length 0 after the packet id; id, sequence and time patched")
    void publishTemplate5() {
        PublishTemplate template = new PublishTemplate(5, "t/1", 1, 24, RUN, 3);

        byte[] packet = encode(out -> template.write(out, 0x1234, 7, 0x0102030405060708L));

        assertThat(template.length()).isEqualTo(packet.length);
        assertThat(packet).containsExactly(bytes(
                0x32, 32,                          // PUBLISH QoS 1, remaining length 2+3+2+1+24
                0x00, 0x03, 't', '/', '1',         // topic
                0x12, 0x34,                        // packet id
                0x00,                              // property length 0
                0x0a, 0x0b, 0x0c, 0x0d,            // payload: run id
                0x00, 0x00, 0x00, 0x03,            // publisher id
                0, 0, 0, 0, 0, 0, 0, 7,            // sequence
                1, 2, 3, 4, 5, 6, 7, 8));          // send time
    }

    @Test
    @DisplayName("a QoS 0 PUBLISH template at level 5 has no packet id, then property length 0")
    void publishTemplate5Qos0() {
        PublishTemplate template = new PublishTemplate(5, "t", 0, 25, RUN, 0);

        byte[] packet = encode(out -> template.write(out, 99, 1, 2));

        assertThat(packet).containsExactly(bytes(
                0x30, 29,                          // PUBLISH QoS 0, remaining length 2+1+1+25
                0x00, 0x01, 't',                   // topic
                0x00,                              // property length 0
                0x0a, 0x0b, 0x0c, 0x0d,            // run id
                0, 0, 0, 0,                        // publisher id
                0, 0, 0, 0, 0, 0, 0, 1,            // sequence
                0, 0, 0, 0, 0, 0, 0, 2,            // send time
                'a' + 24 % 26));                   // filler
    }

    @Test
    @DisplayName("a PUBLISH template at level 4 has no property length")
    void publishTemplate311() {
        PublishTemplate template = new PublishTemplate(4, "t/1", 2, 24, RUN, 3);

        byte[] packet = encode(out -> template.write(out, 1, 0, 0));

        assertThat(packet).hasSize(2 + 31);
        assertThat(packet).startsWith(bytes(
                0x34, 31,                          // PUBLISH QoS 2, remaining length 2+3+2+24
                0x00, 0x03, 't', '/', '1',         // topic
                0x00, 0x01,                        // packet id
                0x0a, 0x0b));                      // payload: run id begins right after the packet id
    }

    @Test
    @DisplayName("reason codes are shown in hex with their name")
    void reasonNames() {
        assertThat(Packets.reason(0x10)).isEqualTo("0x10 (no matching subscribers)");
        assertThat(Packets.reason(0x87)).isEqualTo("0x87 (not authorized)");
        assertThat(Packets.reason(0x8B)).isEqualTo("0x8B (server shutting down)");
        assertThat(Packets.reason(0xFE)).isEqualTo("0xFE (unknown reason code)");
    }
}
