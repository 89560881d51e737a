package io.cairn.kernel.osgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.kernel.embedded.BrokerSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kernel's configuration file is read strictly: every bad value is named with its key. */
class KernelSettingsTest {

    @Test
    void valuesFromAFileAreParsed() {
        BrokerSettings s = KernelSettings.from(Map.of("maxInflight", "64", "keepAliveGrace", " 2.0 ",
                "maxPacketSize", 4096, "service.pid", "io.cairn.kernel"));
        assertThat(s.maxInflight()).isEqualTo(64);
        assertThat(s.keepAliveGrace()).isEqualTo(2.0);
        assertThat(s.maxPacketSize()).isEqualTo(4096);
        assertThat(s.maxQueuedMessages()).isEqualTo(BrokerSettings.defaults().maxQueuedMessages());
    }

    @Test
    void bridgesHaveTheirOwnQueueBound() {
        assertThat(BrokerSettings.defaults().bridgeMaxQueuedMessages()).isEqualTo(100_000);
        assertThat(KernelSettings.from(Map.of("bridgeMaxQueuedMessages", "250000")).bridgeMaxQueuedMessages())
                .isEqualTo(250_000);
        assertThat(KernelSettings.unknownKeys(Map.of("bridgeMaxQueuedMessages", "5"))).isEmpty();
    }

    @Test
    void aValueThatIsNotANumberIsNamedWithItsKey() {
        assertThatThrownBy(() -> KernelSettings.from(Map.of("maxInflight", "ten")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key maxInflight = 'ten' is not a whole number");
    }

    @Test
    void aValueOutOfRangeIsNamedWithItsKey() {
        assertThatThrownBy(() -> KernelSettings.from(Map.of("maxInflight", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key maxInflight must be between 1 and 65535, not 0");
    }

    @Test
    void misspeltKeysAreReported() {
        assertThat(KernelSettings.unknownKeys(Map.of("maxInflght", "5", "maxInflight", "5",
                "felix.fileinstall.filename", "file:/etc/io.cairn.kernel.cfg", "service.pid", "x")))
                .containsExactly("maxInflght");
    }
}
