package io.cairn.api.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.api.auth.ListenerSecurity;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The keys every listener file shares, as FileInstall (text) and Config Admin (typed values) hand them over. */
class ListenerConfigurationTest {

    private static final String PID = "io.cairn.transport.tcp";
    private static final String FILE = "file:/opt/cairn/etc/io.cairn.transport.tcp-edge.cfg";

    @Test
    @DisplayName("a file with no keys: the name from the file name, the defaults, the file as the source")
    void defaults() throws Exception {
        ListenerConfiguration c = ListenerConfiguration.read(PID, Map.of("felix.fileinstall.filename", FILE), 1883);
        assertThat(c.name()).isEqualTo("edge");
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(1883);
        assertThat(c.backlog()).isEqualTo(ListenerConfiguration.DEFAULT_BACKLOG);
        assertThat(c.security()).isEqualTo(new ListenerSecurity(false, "", ""));
        assertThat(c.handoverWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.drain()).isZero();
        assertThat(c.source()).isEqualTo("/opt/cairn/etc/io.cairn.transport.tcp-edge.cfg");
    }

    @Test
    @DisplayName("text and typed values read alike; the name from the PID when there is no file")
    void textAndTypedValues() throws Exception {
        ListenerConfiguration text = ListenerConfiguration.read(PID, Map.of("service.pid", PID + "~api",
                "host", " 0.0.0.0 ", "port", "8884", "backlog", "16", "allowAnonymous", "TRUE",
                "authenticators", "file", "handoverMillis", "500", "drainMillis", "2000"), 1883);
        ListenerConfiguration typed = ListenerConfiguration.read(PID, Map.of("service.pid", PID + "~api",
                "host", "0.0.0.0", "port", 8884, "backlog", 16L, "allowAnonymous", true,
                "authenticators", "file", "handoverMillis", 500L, "drainMillis", 2000), 1883);
        assertThat(text).isEqualTo(typed);
        assertThat(text.name()).isEqualTo("api");
        assertThat(text.source()).isEqualTo(PID + "~api");
        assertThat(text.security()).isEqualTo(new ListenerSecurity(true, "file", ""));
        assertThat(text.drain()).isEqualTo(Duration.ofSeconds(2));
        assertThat(text.sameSocket(typed)).isTrue();
    }

    @Test
    @DisplayName("a bad value is refused naming the key, the value and the problem")
    void badValues() {
        assertThatThrownBy(() -> ListenerConfiguration.read(PID, Map.of("name", "x", "port", "18x3"), 1883))
                .isInstanceOf(InvalidConfigurationException.class).hasMessage("key port = '18x3' is not a number");
        assertThatThrownBy(() -> ListenerConfiguration.read(PID, Map.of("name", "x", "port", 70000), 1883))
                .hasMessage("key port = '70000' is outside 0..65535");
        assertThatThrownBy(() -> ListenerConfiguration.read(PID, Map.of("name", "x", "allowAnonymous", "yes"), 1883))
                .hasMessage("key allowAnonymous = 'yes' is neither true nor false");
        assertThatThrownBy(() -> ListenerConfiguration.read(PID, Map.of("name", "x", "drainMillis", "-1"), 1883))
                .hasMessage("key drainMillis = '-1' must not be negative");
        assertThatThrownBy(() -> ListenerConfiguration.read(PID, Map.of("name", " "), 1883))
                .hasMessage("key name = ' ' must not be empty");
        assertThatThrownBy(() -> ListenerConfiguration.read(PID, Map.of(), 1883))
                .hasMessage("key name must not be empty");
    }
}
