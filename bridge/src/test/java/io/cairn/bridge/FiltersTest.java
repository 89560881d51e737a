package io.cairn.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FiltersTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "a/b, a/b, true", "a/b, a/c, false", "a/+, a/b, true", "a/+, a/b/c, false", "a/#, a, true",
            "a/#, a/b/c, true", "#, a/b, true", "+/+, a/b, true", "+, /, false", "+/+, /, true",
            "#, $SYS/x, false", "+/x, $SYS/x, false", "$SYS/#, $SYS/x, true", "a/+/c, a//c, true", "a, a/b, false",
    })
    void matchesLikeMqtt(String filter, String topic, boolean matches) {
        assertThat(Filters.matches(filter, topic)).isEqualTo(matches);
    }

    @Test
    void echoesAreRecognisedOnceEach() {
        EchoFilter f = new EchoFilter(Duration.ofMinutes(1), 3);
        java.nio.ByteBuffer p = java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3});
        f.sent("t", p);
        f.sent("t", p);
        assertThat(f.isEcho("t", java.nio.ByteBuffer.wrap(new byte[] {1, 2, 4}))).isFalse();
        assertThat(f.isEcho("u", p)).isFalse();
        assertThat(f.isEcho("t", p)).isTrue();
        assertThat(f.isEcho("t", p)).isTrue();
        assertThat(f.isEcho("t", p)).as("each note is used once").isFalse();
        // bounded: the oldest notes go first
        for (int i = 0; i < 5; i++) {
            f.sent("n" + i, p);
        }
        assertThat(f.size()).isEqualTo(3);
        assertThat(f.isEcho("n0", p)).isFalse();
        assertThat(f.isEcho("n4", p)).isTrue();
    }

    @Test
    void echoNotesExpire() {
        EchoFilter f = new EchoFilter(Duration.ZERO, 10);
        f.sent("t", java.nio.ByteBuffer.allocate(0));
        assertThat(f.isEcho("t", java.nio.ByteBuffer.allocate(0))).isFalse();
    }
}
