package io.cairn.kernel.embedded;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.transport.tcp.TcpTransport;
import java.net.BindException;
import org.junit.jupiter.api.Test;

/** A port held by one broker is refused to a second one, with an error that names listener and address. */
class ListenerBindTest {

    @Test
    void aSecondBrokerCannotShareAPort() throws Exception {
        try (EmbeddedBroker first = EmbeddedBroker.builder().transport(new TcpTransport("first", "127.0.0.1", 0))
                .start()) {
            int port = first.listeners().get(0).port();
            assertThatThrownBy(() -> EmbeddedBroker.builder()
                    .transport(new TcpTransport("second", "127.0.0.1", port)).start())
                    .isInstanceOf(BindException.class)
                    .hasMessageContaining("Listener second cannot bind 127.0.0.1:" + port)
                    .hasMessageContaining("in use");
        }
    }
}
