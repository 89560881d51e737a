package io.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading MQTT 5 property blocks and Variable Byte Integers from a broker's packets. */
class Properties5Test {

    private static ByteBuf wrap(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return Unpooled.wrappedBuffer(b);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "0,         00",
        "127,       7f",
        "128,       80 01",
        "16383,     ff 7f",
        "16384,     80 80 01",
        "2097152,   80 80 80 01",
        "268435455, ff ff ff 7f"})
    @DisplayName("Variable Byte Integers of one to four bytes decode at their boundaries")
    void variableByteIntegers(int value, String hex) {
        String[] parts = hex.trim().split(" ");
        int[] bytes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = Integer.parseInt(parts[i], 16);
        }
        ByteBuf buf = wrap(bytes);

        assertThat(Properties5.variableByteInteger(buf, 0, buf.writerIndex())).isEqualTo(value);
        assertThat(Packets.remainingLengthBytes(value)).as("its length").isEqualTo(bytes.length);
    }

    @Test
    @DisplayName("a Variable Byte Integer that is not in its shortest form, too long or cut off is malformed")
    void malformedVariableByteIntegers() {
        ByteBuf padded = wrap(0x80, 0x00);                     // 0 in two bytes
        ByteBuf five = wrap(0xff, 0xff, 0xff, 0xff, 0x01);     // a fifth byte
        ByteBuf cut = wrap(0x80);                              // continuation bit, then nothing

        assertThatThrownBy(() -> Properties5.variableByteInteger(padded, 0, 2))
                .isInstanceOf(FrameParser.MalformedFrameException.class).hasMessageContaining("shortest form");
        assertThatThrownBy(() -> Properties5.variableByteInteger(five, 0, 5))
                .isInstanceOf(FrameParser.MalformedFrameException.class);
        assertThatThrownBy(() -> Properties5.variableByteInteger(cut, 0, 1))
                .isInstanceOf(FrameParser.MalformedFrameException.class);
    }

    @Test
    @DisplayName("a CONNACK property block gives the limits the tool honours and skips every other property")
    void connackProperties() {
        ByteBuf buf = wrap(
                46,                                            // property length
                0x11, 0x00, 0x00, 0x00, 0x3c,                  // Session Expiry Interval 60 (skipped)
                0x21, 0x00, 0x14,                              // Receive Maximum 20
                0x24, 0x01,                                    // Maximum QoS 1
                0x25, 0x00,                                    // Retain Available 0 (skipped)
                0x27, 0x00, 0x01, 0x00, 0x00,                  // Maximum Packet Size 65,536
                0x12, 0x00, 0x02, 'i', 'd',                    // Assigned Client Identifier (skipped)
                0x22, 0x00, 0x0a,                              // Topic Alias Maximum 10 (skipped)
                0x13, 0x00, 0x1e,                              // Server Keep Alive 30
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',        // User Property (skipped)
                0x1F, 0x00, 0x02, 'o', 'k',                    // Reason String
                0x2A, 0x01,                                    // Shared Subscription Available (skipped)
                0x16, 0x00, 0x01, 0x7f,                        // Authentication Data (skipped)
                0xee);                                         // the byte after the block

        Properties5 p = Properties5.read(buf, 0, buf.writerIndex());

        assertThat(p.end()).isEqualTo(47);
        assertThat(p.receiveMaximum()).isEqualTo(20);
        assertThat(p.maximumQos()).isEqualTo(1);
        assertThat(p.maximumPacketSize()).isEqualTo(65_536);
        assertThat(p.serverKeepAlive()).isEqualTo(30);
        assertThat(p.reasonString()).isEqualTo("ok");
        assertThat(p.reasonSuffix()).isEqualTo(": ok");
    }

    @Test
    @DisplayName("an empty property block leaves every limit at the specification's default")
    void emptyBlock() {
        Properties5 p = Properties5.read(wrap(0x00), 0, 1);

        assertThat(p).isEqualTo(Properties5.none(1));
        assertThat(p.receiveMaximum()).isEqualTo(65_535);
        assertThat(p.maximumQos()).isEqualTo(2);
        assertThat(p.maximumPacketSize()).isZero();
        assertThat(p.serverKeepAlive()).isEqualTo(-1);
        assertThat(p.reasonSuffix()).isEmpty();
    }

    @Test
    @DisplayName("an unknown property id, a value running past the block or a block past the packet is malformed")
    void malformedBlocks() {
        ByteBuf unknown = wrap(0x02, 0x7e, 0x00);               // property 0x7E does not exist
        ByteBuf shortValue = wrap(0x02, 0x21, 0x00);            // Receive Maximum with one byte of two
        ByteBuf longBlock = wrap(0x05, 0x21, 0x00, 0x01);       // five bytes announced, three there

        assertThatThrownBy(() -> Properties5.read(unknown, 0, 3))
                .isInstanceOf(FrameParser.MalformedFrameException.class).hasMessageContaining("0x7E");
        assertThatThrownBy(() -> Properties5.read(shortValue, 0, 3))
                .isInstanceOf(FrameParser.MalformedFrameException.class);
        assertThatThrownBy(() -> Properties5.read(longBlock, 0, 4))
                .isInstanceOf(FrameParser.MalformedFrameException.class).hasMessageContaining("runs past");
    }
}
