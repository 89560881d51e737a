package io.cairn.management.internal;

import io.cairn.api.broker.Broker;
import io.cairn.api.broker.InterceptorStatus;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * The plugins of a running framework and what keeps one from running.
 *
 * <p>A plugin is a bundle that the launcher did not install from {@code system/}: in a Cairn runtime folder, every
 * bundle from {@code deploy/} (or installed any other way at runtime); in a framework without {@code cairn.home},
 * every bundle but the framework itself. For a bundle that does not resolve, the reason is worked out without
 * touching it: each mandatory requirement is looked up among the framework's capabilities
 * ({@link FrameworkWiring#findProviders}), and the first one that nothing offers, or that only bundles offer which
 * do not resolve themselves, is named. For a bundle that resolves but failed to start, the reason is the last error
 * the framework reported for it since this inventory was opened. For an active bundle, given the Declarative
 * Services runtime ({@link #components}), its components that wait for a service nobody offers or that failed to
 * activate. Given the broker ({@link #broker}), a plugin the broker quarantined (its interceptors failed too
 * often, and it was stopped) is {@code quarantined}, with the failures as its problem.
 */
public final class PluginInventory implements FrameworkListener, AutoCloseable {

    /** A plugin bundle now. {@code problem} is empty when nothing is wrong. */
    public record Plugin(long id, String symbolicName, String version, String state, String location,
                         String problem) {
    }

    private final BundleContext context;
    private final String systemFolder;
    private final Map<Long, String> errors = new ConcurrentHashMap<>();
    private volatile ServiceComponentRuntime components;
    private volatile Broker broker;

    /** Opens the inventory: from now on, errors the framework reports for bundles are remembered. */
    public PluginInventory(BundleContext context) {
        this.context = context;
        String home = context.getProperty("cairn.home");
        this.systemFolder = home == null ? null : Path.of(home, "system").toUri().toString();
        context.addFrameworkListener(this);
    }

    /**
     * Lets the inventory ask the Declarative Services runtime about an active plugin's components: one waiting
     * for a service nobody offers, or one that failed to activate, is the plugin's problem. {@code null}: none.
     */
    public void components(ServiceComponentRuntime runtime) {
        this.components = runtime;
    }

    /**
     * Lets the inventory ask the broker which plugins it quarantined: such a plugin's state is {@code quarantined}
     * and its problem says why. {@code null}: no broker.
     */
    public PluginInventory broker(Broker broker) {
        this.broker = broker;
        return this;
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.ERROR && event.getBundle() != null && event.getThrowable() != null) {
            Throwable cause = event.getThrowable();
            String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            if (cause.getCause() != null && cause.getCause() != cause) {
                message += " (" + cause.getCause() + ")";
            }
            errors.put(event.getBundle().getBundleId(), message);
        }
    }

    @Override
    public void close() {
        try {
            context.removeFrameworkListener(this);
        } catch (IllegalStateException stopped) {
            // the bundle is stopping and its listeners go with it
        }
    }

    /** Whether {@code bundle} is a plugin (see the class comment). */
    public boolean isPlugin(Bundle bundle) {
        if (bundle.getBundleId() == 0) {
            return false;
        }
        return systemFolder == null || !normalise(bundle.getLocation()).startsWith(systemFolder);
    }

    /** The plugins in bundle-id order, or every bundle but the framework with {@code all}. */
    public List<Plugin> plugins(boolean all) {
        List<Plugin> plugins = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getBundleId() != 0 && (all || isPlugin(bundle))) {
                plugins.add(describe(bundle));
            }
        }
        return plugins;
    }

    /** {@code bundle} as a plugin, with its problem if it has one. */
    public Plugin describe(Bundle bundle) {
        String name = bundle.getSymbolicName() == null ? "(no symbolic name)" : bundle.getSymbolicName();
        InterceptorStatus quarantine = quarantine(bundle);
        if (quarantine != null) {
            return new Plugin(bundle.getBundleId(), name, bundle.getVersion().toString(), "quarantined",
                    bundle.getLocation(), "quarantined: its interceptors failed " + quarantine.exceptions()
                    + " time(s) with an exception and " + quarantine.overruns() + " time(s) over their time budget"
                    + (quarantine.lastFailure() == null ? "" : "; last: " + quarantine.lastFailure()));
        }
        return new Plugin(bundle.getBundleId(), name, bundle.getVersion().toString(), state(bundle),
                bundle.getLocation(), problem(bundle));
    }

    /** The broker's account of {@code bundle}'s quarantine, if the broker quarantined it and it is still stopped. */
    private InterceptorStatus quarantine(Bundle bundle) {
        Broker b = broker;
        if (b == null || bundle.getState() != Bundle.RESOLVED || bundle.getSymbolicName() == null) {
            return null;
        }
        try {
            for (InterceptorStatus status : b.interceptors()) {
                if (status.quarantined() && status.plugin().equals(bundle.getSymbolicName())
                        && bundle.getVersion().toString().equals(status.version())) {
                    return status;
                }
            }
        } catch (RuntimeException stopping) {
            // the broker is going away
        }
        return null;
    }

    /** A bundle's state in words: installed, resolved, starting, active, stopping, uninstalled. */
    public static String state(Bundle bundle) {
        return switch (bundle.getState()) {
            case Bundle.INSTALLED -> "installed";
            case Bundle.RESOLVED -> isFragment(bundle) ? "resolved (fragment)" : "resolved";
            case Bundle.STARTING -> "starting";
            case Bundle.ACTIVE -> "active";
            case Bundle.STOPPING -> "stopping";
            default -> "uninstalled";
        };
    }

    private String problem(Bundle bundle) {
        if (bundle.getState() == Bundle.INSTALLED) {
            String missing = missingRequirement(bundle);
            if (!missing.isEmpty()) {
                return "does not resolve: " + missing;
            }
            String error = errors.get(bundle.getBundleId());
            return error != null ? "does not resolve: " + error : "not resolved yet";
        }
        if (bundle.getState() == Bundle.RESOLVED && !isFragment(bundle)) {
            String error = errors.get(bundle.getBundleId());
            return error != null ? "not started: " + error : "";
        }
        if (bundle.getState() == Bundle.ACTIVE) {
            return componentProblems(bundle);
        }
        return "";
    }

    private String componentProblems(Bundle bundle) {
        ServiceComponentRuntime runtime = components;
        if (runtime == null) {
            return "";
        }
        List<String> problems = new ArrayList<>();
        try {
            for (ComponentDescriptionDTO description : runtime.getComponentDescriptionDTOs(bundle)) {
                for (ComponentConfigurationDTO configuration : runtime.getComponentConfigurationDTOs(description)) {
                    if (configuration.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                        List<String> missing = new ArrayList<>();
                        for (UnsatisfiedReferenceDTO reference : configuration.unsatisfiedReferences) {
                            missing.add(interfaceOf(description, reference.name));
                        }
                        problems.add("component " + description.name + " waits for " + String.join(", ", missing));
                    } else if (configuration.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        problems.add("component " + description.name + " failed to activate: "
                                + configuration.failure.lines().findFirst().orElse("(no reason given)"));
                    }
                }
            }
        } catch (RuntimeException stopping) {
            return ""; // the component runtime or the bundle is going away
        }
        return String.join("; ", problems);
    }

    private static String interfaceOf(ComponentDescriptionDTO description, String reference) {
        for (ReferenceDTO declared : description.references) {
            if (declared.name.equals(reference)) {
                return declared.interfaceName + (declared.target == null ? "" : " " + declared.target);
            }
        }
        return reference;
    }

    private String missingRequirement(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        if (revision == null) {
            return "";
        }
        FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
        for (BundleRequirement requirement : revision.getDeclaredRequirements(null)) {
            Map<String, String> directives = requirement.getDirectives();
            if (Namespace.RESOLUTION_OPTIONAL.equals(directives.get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE))) {
                continue;
            }
            String effective = directives.getOrDefault(Namespace.REQUIREMENT_EFFECTIVE_DIRECTIVE,
                    Namespace.EFFECTIVE_RESOLVE);
            if (!Namespace.EFFECTIVE_RESOLVE.equals(effective)) {
                continue;
            }
            Collection<BundleCapability> providers = wiring.findProviders(requirement);
            List<String> unresolved = new ArrayList<>();
            boolean satisfied = false;
            for (BundleCapability provider : providers) {
                Bundle offering = provider.getRevision().getBundle();
                if (offering.getBundleId() == bundle.getBundleId()) {
                    satisfied = true; // a bundle importing what it exports itself
                } else if (offering.getState() == Bundle.INSTALLED) {
                    unresolved.add(offering.getSymbolicName() + " " + offering.getVersion());
                } else if (offering.getState() != Bundle.UNINSTALLED) {
                    satisfied = true;
                }
            }
            if (!satisfied) {
                String what = "missing requirement " + requirement.getNamespace() + "; "
                        + directives.getOrDefault(Namespace.REQUIREMENT_FILTER_DIRECTIVE, "");
                return unresolved.isEmpty() ? what
                        : what + ", offered only by " + String.join(", ", unresolved) + ", which does not resolve";
            }
        }
        return "";
    }

    private static boolean isFragment(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        return revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }

    private static String normalise(String location) {
        try {
            URI uri = URI.create(location);
            if ("file".equals(uri.getScheme())) {
                return Path.of(uri).toAbsolutePath().normalize().toUri().toString();
            }
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException notAFile) {
            // a location that is no file URI (inputstream:, mvn:, reference:...): it is not under system/
        }
        return location;
    }
}
