package io.cairn.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The settings' checks and origin matching. */
class WsSettingsTest {

    private static final WsSettings ORIGINS = WsSettings.builder().allowedOrigins(List.of("https://app.example.com",
            "http://localhost:8080", "*.example.org", "https://*.example.net:8443")).build();

    @Test
    @DisplayName("defaults: /mqtt, mqtt and mqttv3.1, any origin, 1 MiB frames, 10 s upgrade, no TLS")
    void defaults() {
        WsSettings d = WsSettings.defaults();
        assertThat(d.path()).isEqualTo("/mqtt");
        assertThat(d.subprotocols()).containsExactly("mqtt", "mqttv3.1");
        assertThat(d.allowedOrigins()).isEmpty();
        assertThat(d.allows("https://anything.example")).isTrue();
        assertThat(d.maxFrameSize()).isEqualTo(1 << 20);
        assertThat(d.upgradeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.tls()).isNull();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "https://app.example.com, true",
            "HTTPS://APP.EXAMPLE.COM, true",
            "http://app.example.com, false",
            "https://app.example.com:444, false",
            "http://localhost:8080, true",
            "http://localhost, false",
            "https://a.example.org, true",
            "http://a.b.example.org:9000, true",
            "https://example.org, false",
            "https://badexample.org, false",
            "https://x.example.net:8443, true",
            "http://x.example.net:8443, false",
            "https://x.example.net, false",
            "null, false"})
    @DisplayName("exact origins and *.domain patterns")
    void originMatching(String origin, boolean allowed) {
        assertThat(ORIGINS.allows(origin)).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"example.com", "*", "*example.com", "https://a.*.com", "https://app.example.com/path",
            "ftp//x", "https://exa mple.com", "https://x.com:port"})
    @DisplayName("an origin entry that is neither scheme://host[:port] nor *.domain is refused, naming the key")
    void badOrigins(String origin) {
        assertThatThrownBy(() -> WsSettings.builder().allowedOrigins(List.of(origin)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("key allowedOrigins")
                .hasMessageContaining(origin);
    }

    @Test
    @DisplayName("bad path, sub-protocols, frame size and upgrade timeout are refused, naming the key")
    void badValues() {
        assertThatThrownBy(() -> WsSettings.builder().path("mqtt").build()).hasMessageStartingWith("key path");
        assertThatThrownBy(() -> WsSettings.builder().path("/mqtt?x=1").build()).hasMessageStartingWith("key path");
        assertThatThrownBy(() -> WsSettings.builder().subprotocols(List.of()).build())
                .hasMessageStartingWith("key subprotocols");
        assertThatThrownBy(() -> WsSettings.builder().maxFrameSize(100).build())
                .hasMessageStartingWith("key maxFrameSize");
        assertThatThrownBy(() -> WsSettings.builder().upgradeTimeout(Duration.ZERO).build())
                .hasMessageStartingWith("key upgradeTimeoutMillis");
    }
}
