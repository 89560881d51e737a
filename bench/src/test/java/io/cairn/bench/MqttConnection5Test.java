package io.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One generator connection at MQTT 5 in an {@link EmbeddedChannel}, fed the broker's packets byte by byte: what
 * it sends back, what it counts and how it reports what the broker refused.
 */
class MqttConnection5Test {

    private static final int RUN = 0x0a0b0c0d;

    private final RunState run = new RunState(RUN);
    private final Publisher[] publishers = new Publisher[1];

    private static Endpoint endpoint(int keepAlive) {
        return new Endpoint("127.0.0.1", 1883, 5, null, null, keepAlive);
    }

    /** Feeds {@code values} as bytes from the broker and returns what the connection sent back. */
    private static byte[] exchange(EmbeddedChannel ch, int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        ch.writeInbound(Unpooled.wrappedBuffer(b));
        return sent(ch);
    }

    private static byte[] sent(EmbeddedChannel ch) {
        ch.runPendingTasks();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) o;
            out.writeBytes(ByteBufUtil.getBytes(buf));
            buf.release();
        }
        return out.toByteArray();
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** A connection without a subscription whose CONNECT was sent and CONNACK (no properties) accepted. */
    private EmbeddedChannel connected(MqttConnection c) {
        EmbeddedChannel ch = new EmbeddedChannel(c);
        assertThat(sent(ch)).startsWith(0x10);                       // CONNECT
        exchange(ch, 0x20, 0x03, 0x00, 0x00, 0x00);                   // CONNACK: no session, success, no properties
        assertThat(c.ready()).isCompleted();
        return ch;
    }

    private static String failure(MqttConnection c) {
        assertThat(c.ready()).isCompletedExceptionally();
        try {
            c.ready().join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause().getMessage();
        }
    }

    @Test
    @DisplayName("a received PUBLISH with properties reaches the payload check, and is acknowledged in 2 bytes")
    void publishWithProperties() {
        MqttConnection c = new MqttConnection("cb1", endpoint(0), null, 1, run);
        Receiver receiver = new Receiver(run, publishers, false, null);
        c.receiver(receiver);
        EmbeddedChannel ch = connected(c);

        byte[] answer = exchange(ch,
                0x32, 45,                                         // PUBLISH QoS 1, remaining length
                0x00, 0x01, 't',                                  // topic
                0x00, 0x07,                                       // packet id 7
                15,                                               // property length
                0x02, 0x00, 0x00, 0x00, 0x3c,                     //   Message Expiry Interval 60
                0x0B, 0x81, 0x01,                                 //   Subscription Identifier 129 (two bytes)
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',           //   User Property k=v
                0x0a, 0x0b, 0x0c, 0x0d,                           // payload: run id
                0x00, 0x00, 0x00, 0x00,                           //   publisher id 0
                0, 0, 0, 0, 0, 0, 0, 0,                           //   sequence 0
                0, 0, 0, 0, 0, 0, 0, 0);                          //   send time

        assertThat(answer).containsExactly(bytes(0x40, 0x02, 0x00, 0x07)); // PUBACK 7, success without a reason
        assertThat(receiver.received()).isEqualTo(1);
        assertThat(receiver.foreign()).isZero();
        assertThat(run.failure()).isNull();
        assertFalse(ch.finish());
    }

    @Test
    @DisplayName("a PUBLISH whose property length runs past the packet fails the run as malformed")
    void publishPropertiesPastTheEnd() {
        MqttConnection c = new MqttConnection("cb1", endpoint(0), null, 0, run);
        c.receiver(new Receiver(run, publishers, false, null));
        EmbeddedChannel ch = connected(c);

        exchange(ch,
                0x30, 0x05,                                       // PUBLISH QoS 0, remaining length 5
                0x00, 0x01, 't',                                  // topic
                0x09,                                             // property length 9: more than is left
                0x01);

        assertThat(run.failure()).contains("cb1").contains("malformed packet").contains("runs past the packet");
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    @DisplayName("PUBACK 0x10 (no matching subscribers) is a success; PUBACK 0x97 is a rejected message")
    void pubackReasonCodes() {
        MqttConnection c = new MqttConnection("cb1", endpoint(0), null, 0, run);
        c.ponger(new Ponger(c, run, "pong", 1, 5));
        EmbeddedChannel ch = connected(c);

        exchange(ch, 0x40, 0x02, 0x00, 0x01);                      // PUBACK 1, no reason code
        exchange(ch, 0x40, 0x03, 0x00, 0x02, 0x10);                // PUBACK 2, no matching subscribers
        exchange(ch, 0x40, 0x04, 0x00, 0x03, 0x10, 0x00);          // PUBACK 3, same, property length 0
        assertThat(run.rejected()).isZero();

        exchange(ch,
                0x40, 0x0b,                                       // PUBACK, remaining length 11
                0x00, 0x04,                                       // packet id 4
                0x97,                                             // quota exceeded
                0x07,                                             // property length
                0x1F, 0x00, 0x04, 'f', 'u', 'l', 'l');            //   Reason String "full"

        assertThat(run.rejected()).isEqualTo(1);
        assertThat(run.firstRejection())
                .isEqualTo("cb1: PUBACK of packet 4 with reason code 0x97 (quota exceeded): full");
        assertThat(run.failure()).as("a rejection is counted, the connection goes on").isNull();
        assertThat(ch.isOpen()).isTrue();
        assertFalse(ch.finish());
    }

    @Test
    @DisplayName("PUBREC with a failure reason ends the QoS 2 flow: rejected, and no PUBREL is sent")
    void failedPubrec() {
        MqttConnection c = new MqttConnection("cb1", endpoint(0), null, 0, run);
        c.ponger(new Ponger(c, run, "pong", 2, 5));
        EmbeddedChannel ch = connected(c);

        byte[] afterSuccess = exchange(ch, 0x50, 0x03, 0x00, 0x05, 0x10); // PUBREC 5, no matching subscribers
        byte[] afterFailure = exchange(ch, 0x50, 0x03, 0x00, 0x06, 0x80); // PUBREC 6, unspecified error

        assertThat(afterSuccess).containsExactly(bytes(0x62, 0x02, 0x00, 0x05)); // PUBREL 5
        assertThat(afterFailure).isEmpty();
        assertThat(run.rejected()).isEqualTo(1);
        assertThat(run.firstRejection()).contains("PUBREC of packet 6 with reason code 0x80 (unspecified error)");
        assertFalse(ch.finish());
    }

    @Test
    @DisplayName("PUBREL and PUBCOMP are accepted in both forms; PUBCOMP 0x92 is a rejected message")
    void pubrelAndPubcomp() {
        MqttConnection c = new MqttConnection("cb1", endpoint(0), null, 0, run);
        c.ponger(new Ponger(c, run, "pong", 2, 5));
        EmbeddedChannel ch = connected(c);

        byte[] short1 = exchange(ch, 0x62, 0x02, 0x00, 0x08);      // PUBREL 8
        byte[] long1 = exchange(ch, 0x62, 0x04, 0x00, 0x09, 0x00, 0x00); // PUBREL 9, success, property length 0
        exchange(ch, 0x70, 0x02, 0x00, 0x0a);                      // PUBCOMP 10
        exchange(ch, 0x70, 0x03, 0x00, 0x0b, 0x92);                // PUBCOMP 11, packet identifier not found

        assertThat(short1).containsExactly(bytes(0x70, 0x02, 0x00, 0x08));  // PUBCOMP 8
        assertThat(long1).containsExactly(bytes(0x70, 0x02, 0x00, 0x09));   // PUBCOMP 9
        assertThat(run.rejected()).isEqualTo(1);
        assertThat(run.firstRejection()).contains("PUBCOMP of packet 11 with reason code 0x92");
        assertFalse(ch.finish());
    }

    @Test
    @DisplayName("the broker's Receive Maximum lowers a QoS 1 publisher's window; at QoS 0 it does not apply")
    void receiveMaximum() {
        for (int qos : new int[] {0, 1}) {
            MqttConnection c = new MqttConnection("cb1", endpoint(0), null, 0, run);
            Publisher p = new Publisher(0, c, new PublishTemplate(5, "t", qos, 24, RUN, 0), qos, 256, 1, 0, run);
            c.publisher(p);
            EmbeddedChannel ch = new EmbeddedChannel(c);
            sent(ch);

            exchange(ch,
                    0x20, 0x06,                                   // CONNACK, remaining length 6
                    0x00, 0x00,                                   // no session, success
                    0x03,                                         // property length
                    0x21, 0x00, 0x0a);                            //   Receive Maximum 10

            assertThat(c.ready()).isCompleted();
            assertThat(c.receiveMaximum()).isEqualTo(10);
            assertThat(p.honourReceiveMaximum()).as("window at QoS %d", qos).isEqualTo(qos == 0 ? 256 : 10);
            assertFalse(ch.finish());
        }
    }

    @Test
    @DisplayName("a Server Keep Alive replaces the client's keep-alive: PINGREQ at half of it")
    void serverKeepAlive() {
        MqttConnection c = new MqttConnection("cb1", endpoint(600), null, 0, run);
        EmbeddedChannel ch = new EmbeddedChannel(c);
        sent(ch);
        exchange(ch,
                0x20, 0x06,                                       // CONNACK, remaining length 6
                0x00, 0x00,                                       // no session, success
                0x03,                                             // property length
                0x13, 0x00, 0x02);                                //   Server Keep Alive 2 s

        ch.advanceTimeBy(1, TimeUnit.SECONDS);                    // first tick: CONNECT was sent since
        ch.runScheduledPendingTasks();
        assertThat(sent(ch)).isEmpty();
        ch.advanceTimeBy(1, TimeUnit.SECONDS);                    // second tick: nothing sent since the first
        ch.runScheduledPendingTasks();

        assertThat(sent(ch)).containsExactly(bytes(0xc0, 0x00));  // PINGREQ
        assertFalse(ch.finish());
    }

    @Test
    @DisplayName("a CONNACK reason code refuses the connection with its name and the broker's reason string")
    void connackRefused() {
        MqttConnection c = new MqttConnection("cb1", endpoint(0), null, 0, run);
        EmbeddedChannel ch = new EmbeddedChannel(c);
        sent(ch);

        exchange(ch,
                0x20, 0x0a,                                       // CONNACK, remaining length 10
                0x00, 0x86,                                       // no session, bad user name or password
                0x07,                                             // property length
                0x1F, 0x00, 0x04, 'n', 'o', 'p', 'e');            //   Reason String "nope"

        assertThat(failure(c)).isEqualTo("127.0.0.1:1883 refused the connection of cb1: CONNACK reason code 0x86"
                + " (bad user name or password): nope");
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    @DisplayName("a 3.1.1 broker's answer to an MQTT 5 CONNECT says the broker does not speak MQTT 5")
    void connackFromA311Broker() {
        MqttConnection c = new MqttConnection("cb1", endpoint(0), null, 0, run);
        EmbeddedChannel ch = new EmbeddedChannel(c);
        sent(ch);

        exchange(ch, 0x20, 0x02, 0x00, 0x01);                      // CONNACK, unacceptable protocol version

        assertThat(failure(c)).contains("CONNACK return code 1 (unacceptable protocol version)")
                .contains("does not speak MQTT 5");
        assertFalse(ch.finish());
    }

    @Test
    @DisplayName("a broker whose Maximum QoS is below the publisher's QoS is refused before anything is sent")
    void maximumQos() {
        MqttConnection c = new MqttConnection("cb1", endpoint(0), null, 0, run);
        c.publisher(new Publisher(0, c, new PublishTemplate(5, "t", 2, 24, RUN, 0), 2, 16, 1, 0, run));
        EmbeddedChannel ch = new EmbeddedChannel(c);
        sent(ch);

        byte[] answer = exchange(ch,
                0x20, 0x05,                                       // CONNACK, remaining length 5
                0x00, 0x00,                                       // no session, success
                0x02,                                             // property length
                0x24, 0x01);                                      //   Maximum QoS 1

        assertThat(failure(c)).contains("up to QoS 1 (CONNACK Maximum QoS): --qos 2 cannot run");
        assertThat(answer).isEmpty();
        assertFalse(ch.finish());
    }

    @Test
    @DisplayName("a SUBACK reason code refuses the subscription with its name")
    void subackRefused() {
        MqttConnection c = new MqttConnection("cb1", endpoint(0), "a/#", 1, run);
        EmbeddedChannel ch = new EmbeddedChannel(c);
        sent(ch);

        byte[] subscribe = exchange(ch, 0x20, 0x03, 0x00, 0x00, 0x00); // CONNACK, success, no properties
        exchange(ch,
                0x90, 0x04,                                       // SUBACK, remaining length 4
                0x00, 0x01,                                       // packet id 1
                0x00,                                             // property length 0
                0x87);                                            // not authorized

        assertThat(subscribe).containsExactly(bytes(
                0x82, 0x09, 0x00, 0x01, 0x00, 0x00, 0x03, 'a', '/', '#', 0x01));
        assertThat(failure(c)).isEqualTo("127.0.0.1:1883 refused the subscription of cb1 to a/#: SUBACK reason"
                + " code 0x87 (not authorized)");
        assertFalse(ch.finish());
    }

    @Test
    @DisplayName("a DISCONNECT from the broker during the run fails it with the reason code and reason string")
    void disconnectFromBroker() {
        MqttConnection c = new MqttConnection("cb1", endpoint(0), null, 0, run);
        EmbeddedChannel ch = connected(c);

        exchange(ch,
                0xe0, 0x08,                                       // DISCONNECT, remaining length 8
                0x8b,                                             // server shutting down
                0x06,                                             // property length
                0x1F, 0x00, 0x03, 'b', 'y', 'e');                 //   Reason String "bye"

        assertThat(run.failure()).isEqualTo("127.0.0.1:1883 disconnected cb1: DISCONNECT reason code 0x8B (server"
                + " shutting down): bye");
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }
}
