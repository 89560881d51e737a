package io.cairn.persistence.file.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The component's activate and deactivate as Declarative Services calls them, with a bundle context that records
 * the service registrations.
 */
class FileStoreComponentTest {

    @TempDir
    Path dir;

    /** One registerService call and whether it was unregistered since. */
    private static final class Registered {
        final Class<?> type;
        final Object service;
        final Dictionary<String, ?> properties;
        boolean unregistered;

        Registered(Class<?> type, Object service, Dictionary<String, ?> properties) {
            this.type = type;
            this.service = service;
            this.properties = properties;
        }
    }

    private final List<Registered> registered = new ArrayList<>();

    @SuppressWarnings("unchecked")
    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("registerService") && args[0] instanceof Class<?> type) {
                        Registered r = new Registered(type, args[1], (Dictionary<String, ?>) args[2]);
                        registered.add(r);
                        return Proxy.newProxyInstance(getClass().getClassLoader(),
                                new Class<?>[] {ServiceRegistration.class}, (p, m, a) -> {
                                    if (m.getName().equals("unregister")) {
                                        r.unregistered = true;
                                    }
                                    return null;
                                });
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static void call(FileStoreComponent component, String name, Object... args) throws Throwable {
        for (Method m : FileStoreComponent.class.getDeclaredMethods()) {
            if (m.getName().equals(name)) {
                m.setAccessible(true);
                try {
                    m.invoke(component, args);
                    return;
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        }
        throw new NoSuchMethodException(name);
    }

    @Test
    @DisplayName("activate registers both stores at ranking 10 with cairn.store=file; deactivate withdraws them")
    void registersBothStores() throws Throwable {
        FileStoreComponent component = new FileStoreComponent();
        Path store = dir.resolve("store");

        call(component, "activate", context(), Map.of("directory", store.toString(), "service.pid",
                FileStoreConfig.PID));

        assertThat(registered).extracting(r -> (Object) r.type)
                .containsExactly(SessionStore.class, RetainedStore.class);
        for (Registered r : registered) {
            assertThat(r.properties.get("service.ranking")).isEqualTo(10);
            assertThat(r.properties.get("cairn.store")).isEqualTo("file");
        }
        SessionStore sessions = (SessionStore) registered.get(0).service;
        assertThat(sessions.durable()).isTrue();
        assertThat(store.resolve("lock")).isRegularFile();

        call(component, "deactivate");

        assertThat(registered).allMatch(r -> r.unregistered);
        call(component, "activate", context(), Map.of("directory", store.toString(), "service.ranking", "5"));
        assertThat(registered.get(2).properties.get("service.ranking")).as("the directory was released").isEqualTo(5);
        call(component, "deactivate");
    }

    @Test
    @DisplayName("a bad value fails activation and registers nothing")
    void badValueFailsActivation() {
        FileStoreComponent component = new FileStoreComponent();

        assertThatThrownBy(() -> call(component, "activate", context(),
                Map.of("directory", dir.toString(), "segmentBytes", "-1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segmentBytes");

        assertThat(registered).isEmpty();
    }
}
