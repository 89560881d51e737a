package io.cairn.distribution;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Tells whether the runtime has come up: every bundle active (fragments resolved), every jar of {@code deploy/}
 * installed, every {@code etc/*.cfg} file handed to Config Admin and taken by the components it configures, and the
 * broker service registered.
 *
 * <p>The launcher does not share classes with the bundles, so services are read by class name and reflection.
 */
final class Readiness {

    static final String BROKER = "io.cairn.api.broker.Broker";
    private static final String CONFIG_ADMIN = "org.osgi.service.cm.ConfigurationAdmin";
    private static final String SCR = "org.osgi.service.component.runtime.ServiceComponentRuntime";
    private static final String FILENAME = "felix.fileinstall.filename";
    // ComponentConfigurationDTO states
    private static final int UNSATISFIED_CONFIGURATION = 1;
    private static final int UNSATISFIED_REFERENCE = 2;
    private static final int FAILED_ACTIVATION = 16;

    private final Path home;
    private final BundleContext context;
    private final Map<Long, String> bundleErrors;

    Readiness(Path home, BundleContext context, Map<Long, String> bundleErrors) {
        this.home = home;
        this.context = context;
        this.bundleErrors = bundleErrors;
    }

    /** What is not up yet, one line each; empty when the runtime is ready. */
    List<String> pending() {
        List<String> pending = new ArrayList<>(bundleProblems(false));
        pending.addAll(deployPending());
        pending.addAll(configurationPending());
        if (reference(BROKER).isEmpty()) {
            pending.add("the broker service is not registered");
        }
        return pending;
    }

    /**
     * The bundles that are neither active nor resolved fragments, with the resolver's message when
     * {@code diagnose} is set (which tries to start them to get it).
     */
    List<String> bundleProblems(boolean diagnose) {
        List<String> problems = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getBundleId() == 0) {
                continue;
            }
            boolean fragment = bundle.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            int state = bundle.getState();
            if (fragment ? state == Bundle.RESOLVED : state == Bundle.ACTIVE) {
                continue;
            }
            String problem = "bundle " + bundle.getSymbolicName() + ' ' + bundle.getVersion() + " ("
                    + shortLocation(bundle.getLocation()) + ") is " + stateName(state)
                    + (fragment ? " (fragment)" : "");
            String reason = bundleErrors.get(bundle.getBundleId());
            if (reason == null && diagnose && !fragment && state == Bundle.INSTALLED) {
                reason = startFailure(bundle);
            }
            problems.add(reason == null ? problem : problem + ": " + reason);
        }
        return problems;
    }

    /** The bundles installed from {@code deploy/}, as {@code <symbolic name> <version>}, sorted. */
    List<String> plugins() {
        Path deploy = home.resolve("deploy").toAbsolutePath().normalize();
        List<String> plugins = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            Optional<Path> file = locationPath(bundle.getLocation());
            if (file.isPresent() && deploy.equals(file.get().getParent())) {
                plugins.add(bundle.getSymbolicName() + ' ' + bundle.getVersion());
            }
        }
        plugins.sort(null);
        return plugins;
    }

    /** The broker's version, or {@code unknown}. */
    String version() {
        Object version = callBroker("version");
        return version == null ? "unknown" : version.toString();
    }

    /** The broker's open listeners, as URIs. */
    List<String> listeners() {
        Object listeners = callBroker("listeners");
        List<String> uris = new ArrayList<>();
        if (listeners instanceof Collection<?> collection) {
            for (Object listener : collection) {
                try {
                    uris.add(String.valueOf(listener.getClass().getMethod("uri").invoke(listener)));
                } catch (ReflectiveOperationException e) {
                    uris.add(String.valueOf(listener));
                }
            }
        }
        return uris;
    }

    private List<String> deployPending() {
        List<String> pending = new ArrayList<>();
        for (Path jar : files(home.resolve("deploy"), "*.jar")) {
            Optional<Bundle> bundle = Arrays.stream(context.getBundles())
                    .filter(b -> locationPath(b.getLocation()).map(p -> p.equals(jar)).orElse(false))
                    .findFirst();
            if (bundle.isEmpty()) {
                pending.add("deploy/" + jar.getFileName() + " is not installed yet");
            }
        }
        return pending;
    }

    private List<String> configurationPending() {
        List<Path> cfgs = files(home.resolve("etc"), "*.cfg");
        if (cfgs.isEmpty()) {
            return List.of();
        }
        Optional<ServiceReference<?>> cm = reference(CONFIG_ADMIN);
        if (cm.isEmpty()) {
            return List.of("Config Admin is not running");
        }
        List<String> pending = new ArrayList<>();
        try {
            List<Applied> applied = appliedConfigurations(cm.get());
            List<Component> components = components();
            for (Path cfg : cfgs) {
                String name = "etc/" + cfg.getFileName();
                Optional<Applied> configuration = applied.stream().filter(a -> cfg.equals(a.file())).findFirst();
                if (configuration.isEmpty()) {
                    pending.add(name + " is not applied yet");
                    continue;
                }
                for (Component component : components) {
                    if (component.configurationPids().contains(configuration.get().pidKey())) {
                        componentPending(component, cfg, name).ifPresent(pending::add);
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            pending.add("cannot read the configurations: " + e);
        }
        return pending;
    }

    private Optional<String> componentPending(Component component, Path cfg, String name)
            throws ReflectiveOperationException {
        for (Object dto : component.configurations()) {
            Map<?, ?> properties = (Map<?, ?>) field(dto, "properties");
            Object file = properties == null ? null : properties.get(FILENAME);
            if (file == null || !locationPath(file.toString()).map(cfg::equals).orElse(false)) {
                continue;
            }
            int state = (Integer) field(dto, "state");
            if (state == UNSATISFIED_REFERENCE) {
                List<String> missing = new ArrayList<>();
                for (Object reference : (Object[]) field(dto, "unsatisfiedReferences")) {
                    missing.add(String.valueOf(field(reference, "name")));
                }
                return Optional.of("component " + component.name() + " for " + name + " waits for "
                        + String.join(", ", missing));
            }
            if (state == UNSATISFIED_CONFIGURATION) {
                return Optional.of("component " + component.name() + " has not taken " + name + " yet");
            }
            return Optional.empty(); // SATISFIED, ACTIVE, or FAILED_ACTIVATION (SCR logged why)
        }
        return Optional.of("component " + component.name() + " has not taken " + name + " yet");
    }

    private record Applied(String pidKey, Path file) {
    }

    private record Component(String name, List<String> configurationPids, Collection<?> configurations) {
    }

    private List<Applied> appliedConfigurations(ServiceReference<?> reference) throws ReflectiveOperationException {
        Object admin = context.getService(reference);
        if (admin == null) {
            return List.of();
        }
        try {
            Class<?> adminType = reference.getBundle().loadClass(CONFIG_ADMIN);
            Class<?> configurationType = reference.getBundle().loadClass("org.osgi.service.cm.Configuration");
            Method list = adminType.getMethod("listConfigurations", String.class);
            Method properties = configurationType.getMethod("getProperties");
            Method pid = configurationType.getMethod("getPid");
            Method factoryPid = configurationType.getMethod("getFactoryPid");
            Object[] configurations = (Object[]) list.invoke(admin, "(" + FILENAME + "=*)");
            List<Applied> applied = new ArrayList<>();
            for (Object configuration : configurations == null ? new Object[0] : configurations) {
                Dictionary<?, ?> dictionary = (Dictionary<?, ?>) properties.invoke(configuration);
                Object file = dictionary == null ? null : dictionary.get(FILENAME);
                Object factory = factoryPid.invoke(configuration);
                Optional<Path> path = file == null ? Optional.empty() : locationPath(file.toString());
                if (path.isPresent()) {
                    applied.add(new Applied(String.valueOf(factory != null ? factory : pid.invoke(configuration)),
                            path.get()));
                }
            }
            return applied;
        } finally {
            context.ungetService(reference);
        }
    }

    private List<Component> components() throws ReflectiveOperationException {
        Optional<ServiceReference<?>> reference = reference(SCR);
        if (reference.isEmpty()) {
            return List.of();
        }
        Object scr = context.getService(reference.get());
        if (scr == null) {
            return List.of();
        }
        try {
            Bundle scrBundle = reference.get().getBundle();
            Class<?> scrType = scrBundle.loadClass(SCR);
            Class<?> descriptionType =
                    scrBundle.loadClass("org.osgi.service.component.runtime.dto.ComponentDescriptionDTO");
            Method descriptions = scrType.getMethod("getComponentDescriptionDTOs", Bundle[].class);
            Method configurations = scrType.getMethod("getComponentConfigurationDTOs", descriptionType);
            List<Component> components = new ArrayList<>();
            for (Object description : (Collection<?>) descriptions.invoke(scr, (Object) new Bundle[0])) {
                String[] pids = (String[]) field(description, "configurationPid");
                components.add(new Component(String.valueOf(field(description, "name")),
                        pids == null ? List.of() : List.of(pids),
                        (Collection<?>) configurations.invoke(scr, description)));
            }
            return components;
        } finally {
            context.ungetService(reference.get());
        }
    }

    private Object callBroker(String method) {
        Optional<ServiceReference<?>> reference = reference(BROKER);
        if (reference.isEmpty()) {
            return null;
        }
        Object broker = context.getService(reference.get());
        if (broker == null) {
            return null;
        }
        try {
            Class<?> type = reference.get().getBundle().loadClass(BROKER);
            return type.getMethod(method).invoke(broker);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        } finally {
            context.ungetService(reference.get());
        }
    }

    private Optional<ServiceReference<?>> reference(String type) {
        try {
            ServiceReference<?>[] references = context.getAllServiceReferences(type, null);
            return references == null || references.length == 0 ? Optional.empty() : Optional.of(references[0]);
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return Optional.empty();
        }
    }

    private static Object field(Object dto, String name) throws ReflectiveOperationException {
        Field field = dto.getClass().getField(name);
        return field.get(dto);
    }

    private static String startFailure(Bundle bundle) {
        try {
            bundle.start(Bundle.START_TRANSIENT);
            return null;
        } catch (BundleException | IllegalStateException e) {
            return e.getMessage();
        }
    }

    private static List<Path> files(Path dir, String glob) {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
            for (Path file : stream) {
                files.add(file.toAbsolutePath().normalize());
            }
        } catch (IOException e) {
            return files;
        }
        files.sort(null);
        return files;
    }

    /** The file a bundle location or FileInstall file name points to, when it is a {@code file:} URI. */
    static Optional<Path> locationPath(String location) {
        if (location == null || !location.startsWith("file:")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(URI.create(location.replace(" ", "%20"))).toAbsolutePath().normalize());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private String shortLocation(String location) {
        return locationPath(location)
                .map(path -> path.startsWith(home.toAbsolutePath().normalize())
                        ? home.toAbsolutePath().normalize().relativize(path).toString() : path.toString())
                .orElse(location);
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "in state " + state;
        };
    }
}
