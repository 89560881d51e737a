package io.cairn.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.api.transport.testing.FakeTransportContext;
import io.cairn.kernel.netty.WebSocketFrames;
import io.cairn.transport.ws.testsupport.RawWebSocket;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The pipeline the listener builds, against a stand-in kernel that echoes bytes (with the kernel's real frame
 * handler): what stays in an upgraded
 * connection's pipeline (the hot-swap rule), the upgrade timeout, and that the listener's stop leaves open
 * connections alone.
 */
class WsPipelineTest {

    private final FakeTransportContext context = FakeTransportContext.quiet().webSocketFrames(WebSocketFrames.INSTANCE);
    private WsTransport transport;

    @AfterEach
    void tearDown() {
        if (transport != null) {
            transport.stop();
        }
        context.close();
    }

    private int start(WsSettings settings) throws Exception {
        transport = new WsTransport("web", "127.0.0.1", 0, 16, ListenerSecurity.DEFAULT, settings);
        transport.start(context);
        return transport.localAddress().getPort();
    }

    /** The handler classes in {@code channel}'s pipeline, read on its event loop. */
    private static List<Class<?>> handlers(Channel channel) throws Exception {
        FutureTask<List<Class<?>>> task = new FutureTask<>((Callable<List<Class<?>>>) () -> {
            List<Class<?>> classes = new ArrayList<>();
            for (Map.Entry<String, ChannelHandler> e : channel.pipeline()) {
                classes.add(e.getValue().getClass());
            }
            return classes;
        });
        channel.eventLoop().execute(task);
        return task.get();
    }

    @Test
    @DisplayName("after the upgrade only Netty's handlers and the kernel's remain, none of this bundle")
    void upgradedPipelineHoldsNoTransportClass() throws Exception {
        int port = start(WsSettings.defaults());
        try (RawWebSocket ws = RawWebSocket.upgrade(port, "/mqtt", "mqtt", null)) {
            assertThat(ws.status()).isEqualTo(101);
            ws.sendBinary(new byte[] {1, 2, 3});
            assertThat(ws.readBytes(3)).as("echoed by the stand-in kernel").containsExactly(1, 2, 3);

            Channel channel = context.channels().get(0);
            assertThat(handlers(channel)).allSatisfy(c -> assertThat(c.getName().startsWith("io.netty.")
                    || c.getName().startsWith("io.cairn.kernel.") || c.getName().startsWith(FakeTransportContext.class
                    .getName())).as("%s is Netty's or the kernel's", c.getName()).isTrue());
            assertThat(handlers(channel)).as("the kernel's frame handler").contains(WebSocketFrames.class);
            assertThat(channel.pipeline().names()).doesNotContain(WsTransport.GUARD_HANDLER,
                    WsTransport.HTTP_HANDLER, WsTransport.AGGREGATOR_HANDLER);

            transport.stop();
            ws.sendBinary(new byte[] {4});
            assertThat(ws.readBytes(1)).as("still served after the listener stopped").containsExactly(4);
        }
    }

    @Test
    @DisplayName("a client that sends no upgrade request within upgradeTimeoutMillis is closed")
    void upgradeTimeout() throws Exception {
        int port = start(WsSettings.builder().upgradeTimeout(Duration.ofMillis(300)).build());
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            long started = System.nanoTime();
            assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !context.channels().get(0).isOpen());
    }
}
