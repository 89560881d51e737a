package io.cairn.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The keys of etc/io.cairn.metrics.cfg: defaults, and a message naming the key for each bad value. */
class MetricsSettingsTest {

    @Test
    @DisplayName("without a file: 127.0.0.1:9883, /metrics")
    void defaults() {
        assertThat(MetricsSettings.from(Map.of())).isEqualTo(new MetricsSettings("127.0.0.1", 9883, "/metrics"));
        assertThat(MetricsSettings.from(Map.of("service.pid", "io.cairn.metrics", "felix.fileinstall.filename",
                "file:/x.cfg"))).isEqualTo(MetricsSettings.DEFAULTS);
    }

    @Test
    @DisplayName("values from a file, as strings or numbers")
    void values() {
        assertThat(MetricsSettings.from(Map.of("host", " 0.0.0.0 ", "port", "9100", "path", "/prom")))
                .isEqualTo(new MetricsSettings("0.0.0.0", 9100, "/prom"));
        assertThat(MetricsSettings.from(Map.of("port", 0)).port()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "port | ninety   | key port: value 'ninety' is not a whole number",
        "port | -1       | key port: value '-1' is outside 0..65535",
        "port | 65536    | key port: value '65536' is outside 0..65535",
        "host | ' '      | key host: value ' ' is empty",
        "host | a b      | key host: value 'a b' is not a host name or address",
        "path | metrics  | key path: value 'metrics' is not a URL path",
        "path | /m?x=1   | key path: value '/m?x=1' is not a URL path",
        "bind | 1.2.3.4  | key bind: unknown key (known: host, path, port)",
    })
    @DisplayName("a bad value is refused with the key and the problem")
    void invalid(String key, String value, String message) {
        assertThatThrownBy(() -> MetricsSettings.from(Map.of(key, value)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }
}
