package io.cairn.bench.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleReference;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Whether h2-mvstore runs inside Apache Felix, the broker's runtime: an embedded Felix framework installs the
 * h2-mvstore jar from the file the build names in system property {@code h2.mvstore.bundle} (the jar is kept
 * off this test's class path by the failsafe configuration, so every MVStore class here comes through the
 * bundle), starts it, and uses MVStore through the bundle's class loader: a file store written, closed and read
 * again.
 */
class MvStoreBundleIT {

    @TempDir
    Path dir;

    private Framework framework;

    @BeforeEach
    void startFelix() throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, dir.resolve("felix-cache").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow();
        framework = factory.newFramework(config);
        framework.start();
    }

    @AfterEach
    void stopFelix() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(30_000);
        }
    }

    @Test
    @DisplayName("the h2-mvstore jar is an OSGi bundle that resolves and starts in Felix and works through it")
    void mvstoreRunsInFelix() throws Exception {
        Path jar = Path.of(System.getProperty("h2.mvstore.bundle", "h2.mvstore.bundle not set"));
        assertThat(jar).isRegularFile();
        assertThat(getClass().getClassLoader().getResource("org/h2/mvstore/MVStore.class"))
                .as("h2-mvstore must not be on the test class path").isNull();

        Bundle bundle = framework.getBundleContext().installBundle(jar.toUri().toString());
        bundle.start();

        assertThat(bundle.getSymbolicName()).isEqualTo("com.h2database.mvstore");
        assertThat(bundle.getState()).isEqualTo(Bundle.ACTIVE);
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        List<String> exported = wiring.getCapabilities("osgi.wiring.package").stream()
                .map(BundleCapability::getAttributes).map(a -> (String) a.get("osgi.wiring.package"))
                .collect(Collectors.toList());
        assertThat(exported).contains("org.h2.mvstore", "org.h2.mvstore.type", "org.h2.mvstore.tx");
        List<String> imported = wiring.getRequiredWires("osgi.wiring.package").stream()
                .map(BundleWire::getCapability).map(c -> (String) c.getAttributes().get("osgi.wiring.package"))
                .collect(Collectors.toList());
        assertThat(imported).as("its imports are wired to the system bundle").containsOnly("javax.crypto",
                "javax.crypto.spec");

        Class<?> mvStore = bundle.loadClass("org.h2.mvstore.MVStore");
        assertThat(mvStore.getClassLoader()).isInstanceOf(BundleReference.class);
        assertThat(((BundleReference) mvStore.getClassLoader()).getBundle()).isSameAs(bundle);

        Path file = dir.resolve("in-felix.mv.db");
        Method open = mvStore.getMethod("open", String.class);
        Method openMap = mvStore.getMethod("openMap", String.class);
        Method commit = mvStore.getMethod("commit");
        Method close = mvStore.getMethod("close");
        Object store = open.invoke(null, file.toString());
        @SuppressWarnings("unchecked")
        Map<Object, Object> map = (Map<Object, Object>) openMap.invoke(store, "m");
        for (int i = 0; i < 1000; i++) {
            map.put("k" + i, "v" + i);
        }
        commit.invoke(store);
        close.invoke(store);
        assertThat(Files.size(file)).isPositive();

        Object reopened = open.invoke(null, file.toString());
        @SuppressWarnings("unchecked")
        Map<Object, Object> again = (Map<Object, Object>) openMap.invoke(reopened, "m");
        assertThat(again).hasSize(1000).containsEntry("k999", "v999");
        close.invoke(reopened);

        bundle.stop();
        assertThat(bundle.getState()).isEqualTo(Bundle.RESOLVED);
    }
}
