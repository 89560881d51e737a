package io.cairn.kernel.testsupport;

import io.cairn.api.broker.Broker;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs an embedded broker ({@link TestBroker}) for a test class or for each test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedBrokerExtension BROKER = EmbeddedBrokerExtension.perClass();
 *
 * @RegisterExtension
 * final EmbeddedBrokerExtension broker = EmbeddedBrokerExtension.perTest().configure(c -> c.maxInflight(4));
 * }</pre>
 *
 * A per-class broker is shared by the tests of the class; the clients a test opens through the extension are
 * closed after that test either way, so tests do not see each other's connections.
 */
public final class EmbeddedBrokerExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final boolean perClass;
    private final BrokerConfig config = BrokerConfig.standard();
    private TestBroker broker;

    private EmbeddedBrokerExtension(boolean perClass) {
        this.perClass = perClass;
    }

    /** One broker for the whole class: register on a {@code static} field. */
    public static EmbeddedBrokerExtension perClass() {
        return new EmbeddedBrokerExtension(true);
    }

    /** A fresh broker for every test. */
    public static EmbeddedBrokerExtension perTest() {
        return new EmbeddedBrokerExtension(false);
    }

    /** Changes the settings the broker starts with. */
    public EmbeddedBrokerExtension configure(Consumer<BrokerConfig> change) {
        change.accept(config);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (perClass) {
            start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (broker == null) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (broker == null) {
            return;
        }
        if (perClass) {
            broker.closeResources();
        } else {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    private void start() throws Exception {
        broker = TestBroker.start(config.copy());
    }

    private void stop() throws Exception {
        TestBroker b = broker;
        broker = null;
        if (b != null) {
            b.close();
        }
    }

    /** The running broker. */
    public TestBroker get() {
        if (broker == null) {
            throw new IllegalStateException("the broker runs only inside a test (or the class, for perClass())");
        }
        return broker;
    }

    /** The port of the broker's TCP listener on 127.0.0.1. */
    public int port() {
        return get().port();
    }

    /** {@code tcp://127.0.0.1:port}, for client libraries. */
    public String tcpUri() {
        return get().tcpUri();
    }

    /** The broker service. */
    public Broker broker() {
        return get().broker();
    }

    /** A raw connection to the broker, nothing sent yet; closed after the test. */
    public RawMqttClient rawClient(String name) {
        return get().rawClient(name);
    }

    /** A raw connection, connected with {@code clientId} and a clean session; closed after the test. */
    public RawMqttClient connect(String clientId) {
        return get().connect(clientId);
    }

    /** A raw connection that sent {@code connect} and was accepted; closed after the test. */
    public RawMqttClient connect(Packets.Connect connect, String name) {
        return get().connect(connect, name);
    }

    /** Closes {@code resource} after the test. */
    public <T extends AutoCloseable> T track(T resource) {
        return get().track(resource);
    }
}
