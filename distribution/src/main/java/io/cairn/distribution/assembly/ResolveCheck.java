package io.cairn.distribution.assembly;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Checks that a distribution's bundles resolve together, before it is packaged: a throwaway framework (the same
 * Felix the runtime uses, with its storage in a temporary folder) installs every bundle of {@code system/},
 * {@code deploy/} and {@code plugins/}, without starting any, and resolves them. No bundle code runs.
 */
final class ResolveCheck {

    private ResolveCheck() {
    }

    /** A jar to install, with the folder it goes to (for messages). */
    record Item(String folder, Path file) {
    }

    /**
     * Resolves {@code items} together.
     *
     * @throws AssemblyException naming the distribution, each bundle that does not resolve (symbolic name, version,
     *                           file) and the requirement the resolver could not satisfy
     */
    static void check(String distribution, List<Item> items) throws AssemblyException {
        Path storage;
        try {
            storage = Files.createTempDirectory("cairn-resolve-");
        } catch (IOException e) {
            throw new AssemblyException("distribution " + distribution + ": no temporary folder for the resolve "
                    + "check: " + e, e);
        }
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put("felix.log.level", "0");
        Framework framework = frameworkFactory().newFramework(config);
        try {
            framework.init();
            BundleContext context = framework.getBundleContext();
            Map<Bundle, Item> installed = new HashMap<>();
            for (Item item : items) {
                try {
                    installed.put(context.installBundle(item.file().toUri().toString()), item);
                } catch (BundleException e) {
                    throw new AssemblyException("distribution " + distribution + ": " + item.folder() + '/'
                            + item.file().getFileName() + " cannot be installed: " + e.getMessage(), e);
                }
            }
            if (framework.adapt(FrameworkWiring.class).resolveBundles(null)) {
                return;
            }
            List<String> problems = new ArrayList<>();
            installed.entrySet().stream()
                    .filter(e -> e.getKey().getState() == Bundle.INSTALLED)
                    .sorted(Comparator.comparing(e -> e.getKey().getSymbolicName()))
                    .forEach(e -> problems.add(describe(e.getKey(), e.getValue())));
            throw new AssemblyException("distribution " + distribution + ": " + problems.size() + " bundle"
                    + (problems.size() == 1 ? " does" : "s do") + " not resolve:\n  " + String.join("\n  ", problems));
        } catch (BundleException e) {
            throw new AssemblyException("distribution " + distribution + ": the resolve check's framework did not "
                    + "start: " + e.getMessage(), e);
        } finally {
            stop(framework);
            deleteTree(storage);
        }
    }

    /** One line: the bundle, its file, and the resolver's reason. */
    private static String describe(Bundle bundle, Item item) {
        String what = bundle.getSymbolicName() + ' ' + bundle.getVersion() + " (" + item.folder() + '/'
                + item.file().getFileName() + ")";
        String host = bundle.getHeaders("").get(Constants.FRAGMENT_HOST);
        if (host != null) {
            return what + ": a fragment that attaches to no host (Fragment-Host: " + host + ")";
        }
        try {
            // resolving on demand makes Felix say why it cannot: the ResolutionException's text names the
            // missing requirement
            bundle.loadClass("io.cairn.distribution.assembly.ResolveCheck$Probe");
            return what + ": does not resolve";
        } catch (ClassNotFoundException | IllegalStateException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return what + ": " + cause.getMessage();
        }
    }

    private static FrameworkFactory frameworkFactory() {
        Iterator<FrameworkFactory> factories = ServiceLoader.load(FrameworkFactory.class,
                ResolveCheck.class.getClassLoader()).iterator();
        if (!factories.hasNext()) {
            throw new IllegalStateException("no OSGi framework on the assembler's class path (the Felix jar)");
        }
        return factories.next();
    }

    private static void stop(Framework framework) {
        try {
            framework.stop();
            framework.waitForStop(30_000);
        } catch (BundleException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a temporary folder left behind is not worth failing the build for
        }
    }
}
