package io.cairn.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cairn.client.testsupport.FakeServer;
import io.cairn.client.testsupport.FakeServer.Packet;
import io.cairn.client.testsupport.Received;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.mqtt.MqttMessageType;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The client connected in-process to a scripted server on a Netty {@link LocalAddress}, without TCP. */
class LocalAddressTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private FakeServer server;
    private MqttClient client;

    @BeforeEach
    void start() throws InterruptedException {
        server = FakeServer.startLocal("cairn-client-test-" + System.nanoTime());
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    @Test
    @DisplayName("over a LocalAddress the client connects, publishes, receives, and reconnects to the same address")
    void connectPublishReceiveReconnect() throws Exception {
        Received received = new Received();
        // the host names no reachable server: the address is what the client connects to
        client = MqttClient.builder().host("in-process.invalid").address(server.address()).clientId("local")
                .reconnectPolicy(ReconnectPolicy.exponentialBackoff(Duration.ofMillis(20), Duration.ofMillis(100),
                        2.0))
                .build();
        client.connect().get(10, TimeUnit.SECONDS);
        client.subscribe("in/#", Qos.AT_LEAST_ONCE, received).get(10, TimeUnit.SECONDS);

        PublishResult result = client.publish("out/x", "hello", Qos.AT_LEAST_ONCE, false).get(10, TimeUnit.SECONDS);
        assertThat(result.packetId()).isPositive();
        Packet published = server.received(MqttMessageType.PUBLISH).get(0);
        assertThat(published.topic()).isEqualTo("out/x");
        assertThat(published.payloadAsString()).isEqualTo("hello");

        server.publish("in/y", "world", 1, 7, false);
        await().atMost(WAIT).until(() -> received.payloads().contains("world"));
        await().atMost(WAIT).until(() -> server.received(MqttMessageType.PUBACK).size() == 1);

        server.dropConnections();
        await().atMost(WAIT).until(() -> server.connectionCount() == 2 && client.isConnected());
        server.publish("in/y", "again", 0, 0, false);
        await().atMost(WAIT).until(() -> received.payloads().contains("again"));
    }

    @Test
    @DisplayName("a LocalAddress runs on a caller's group with a LocalIoHandler; a NIO group is refused by build()")
    void callersGroup() throws Exception {
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup local = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        try {
            MqttClient.Builder b = MqttClient.builder().address(server.address()).clientId("local-group");
            assertThatThrownBy(() -> b.eventLoopGroup(nio).build()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("LocalAddress").hasMessageContaining("cannot run LocalChannels")
                    .hasMessageContaining("LocalIoHandler.newFactory()");

            client = b.eventLoopGroup(local).build();
            client.connect().get(10, TimeUnit.SECONDS);
            client.publish("out/z", "shared loop", Qos.AT_MOST_ONCE, false).get(10, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> server.received(MqttMessageType.PUBLISH).size() == 1);
            client.close();
            client = null;
            await().atMost(WAIT).until(() -> !server.isOpen(0)); // before its peer's loop goes away
        } finally {
            nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            local.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    @DisplayName("nothing bound to the LocalAddress: connect() fails with a message naming the address")
    void nothingBound() {
        LocalAddress nowhere = new LocalAddress("cairn-client-nowhere-" + System.nanoTime());
        client = MqttClient.builder().address(nowhere).clientId("lost").build();
        assertThat(client.connect()).failsWithin(WAIT).withThrowableThat().havingCause()
                .isInstanceOf(ConnectionLostException.class).withMessageContaining(nowhere.toString());
    }
}
