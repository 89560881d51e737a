package io.cairn.distribution;

import io.cairn.api.auth.ListenerSecurity;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.embedded.EmbeddedBroker;
import io.cairn.persistence.mem.MemoryRetainedStore;
import io.cairn.persistence.mem.MemorySessionStore;
import io.cairn.transport.tcp.TcpTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Run by {@link ModulePathIT} in a JVM whose module path holds the Cairn and Netty jars: checks that they are named
 * modules, starts an embedded broker, prints its port and serves until a line (or end of input) arrives on
 * standard input.
 */
public final class ModulePathMain {

    private ModulePathMain() {
    }

    public static void main(String[] args) throws Exception {
        for (Class<?> type : new Class<?>[] {EmbeddedBroker.class, TcpTransport.class, MemorySessionStore.class,
                io.cairn.api.broker.Broker.class, io.netty.channel.Channel.class}) {
            Module module = type.getModule();
            if (!module.isNamed()) {
                System.out.println("UNNAMED " + type.getName());
                System.exit(3);
            }
            System.out.println("MODULE " + module.getName() + " " + type.getName());
        }
        try (EmbeddedBroker broker = EmbeddedBroker.builder()
                .settings(BrokerSettings.builder().build())
                .transport(new TcpTransport("modules", "127.0.0.1", 0, TcpTransport.DEFAULT_BACKLOG,
                        ListenerSecurity.allProviders(true)))
                .sessionStore(new MemorySessionStore())
                .retainedStore(new MemoryRetainedStore())
                .start()) {
            System.out.println("LISTENING " + broker.listeners().get(0).port());
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        System.out.println("STOPPED");
    }
}
