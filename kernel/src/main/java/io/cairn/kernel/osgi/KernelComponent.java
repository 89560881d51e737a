package io.cairn.kernel.osgi;

import io.cairn.api.auth.Authenticator;
import io.cairn.api.auth.Authorizer;
import io.cairn.api.auth.EnhancedAuthenticator;
import io.cairn.api.auth.ServerRedirector;
import io.cairn.api.bridge.BridgeContext;
import io.cairn.api.broker.Broker;
import io.cairn.api.intercept.AsyncPublishInterceptor;
import io.cairn.api.intercept.BrokerEventListener;
import io.cairn.api.intercept.ConnectInterceptor;
import io.cairn.api.intercept.DeliveryInterceptor;
import io.cairn.api.intercept.DisconnectInterceptor;
import io.cairn.api.intercept.PublishInterceptor;
import io.cairn.api.intercept.SubscribeInterceptor;
import io.cairn.api.intercept.UnsubscribeInterceptor;
import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionStore;
import io.cairn.api.transport.TransportContext;
import io.cairn.kernel.Kernel;
import io.cairn.kernel.auth.Provider;
import io.cairn.kernel.embedded.BrokerSettings;
import io.cairn.kernel.intercept.FaultBudget;
import io.cairn.kernel.protocol.AuthPlugins;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel as a Declarative Services component: starts the engine, registers the {@link Broker} and
 * {@link TransportContext} services, and follows the store plugins as they come and go: the store named by the
 * {@code persistence} key (service property {@code cairn.store}) is in force, or without the key the one with the
 * highest {@code service.ranking}; changing the key switches stores while the broker runs. A valid change of the kernel's configuration restarts the
 * engine, as its limits are fixed for its life; an invalid one is refused with a log line naming file and key.
 */
@Component(name = "io.cairn.kernel", configurationPid = "io.cairn.kernel",
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true, service = {})
@Designate(ocd = KernelConfiguration.class)
public final class KernelComponent {

    private static final Logger LOG = LoggerFactory.getLogger(KernelComponent.class);

    private final List<Store<SessionStore>> sessionStores = new CopyOnWriteArrayList<>();
    private final List<Store<RetainedStore>> retainedStores = new CopyOnWriteArrayList<>();
    private final List<Provider<EnhancedAuthenticator>> authenticators = new CopyOnWriteArrayList<>();
    private final List<Ranked<ServerRedirector>> redirectors = new CopyOnWriteArrayList<>();
    private final List<Provider<Authenticator>> passwordAuthenticators = new CopyOnWriteArrayList<>();
    private final List<Provider<Authorizer>> authorizers = new CopyOnWriteArrayList<>();
    private BundleContext context;
    private Kernel kernel;
    private ServiceRegistration<Broker> brokerRegistration;
    private ServiceRegistration<TransportContext> contextRegistration;
    private ServiceRegistration<BridgeContext> bridgeRegistration;
    /** Closes the sockets an uninstalled transport bundle handed over (an update keeps them for the next version). */
    private BundleListener uninstalls;
    private SessionStore sessionStoreInUse;
    private RetainedStore retainedStoreInUse;

    /** A store service with its ranking and its name (service property {@value #STORE_NAME}). */
    private record Store<T>(T service, int ranking, long id, String name) {
        static final Comparator<Store<?>> BEST_FIRST = Comparator.<Store<?>>comparingInt(Store::ranking)
                .reversed().thenComparingLong(Store::id);
    }

    /** The service property naming a store, matched against the kernel's {@code persistence} key. */
    static final String STORE_NAME = "cairn.store";

    /** The store the configuration asks for ({@code persistence}); empty: the best ranked one. */
    private String persistence = "";
    private String configSource = "io.cairn.kernel";
    /** The kernel that {@link #openListeners()} last opened the listeners of. */
    private Kernel listening;
    /** The interceptor services bound now, with their properties (in binding order). */
    private final Map<Object, Map<String, Object>> interceptors = new LinkedHashMap<>();
    /** The fault budget of each bundle with interceptors, by bundle id: it outlives the bundle's restarts. */
    private final Map<Long, FaultBudget> faultBudgets = new HashMap<>();

    private record Ranked<T>(T service, int ranking, long id) {
        static final Comparator<Ranked<?>> BEST_FIRST = Comparator.<Ranked<?>>comparingInt(Ranked::ranking)
                .reversed().thenComparingLong(Ranked::id);
    }

    @Activate
    private synchronized void activate(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        warnUnknownKeys(properties);
        configSource = source(properties);
        persistence = persistence(properties);
        if (!persistence.isEmpty()) {
            LOG.info("Listeners open once the store '{}' is available (persistence = {} in {})", persistence,
                    persistence, configSource);
        }
        BrokerSettings settings;
        try {
            settings = KernelSettings.from(properties);
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid configuration {}: {}; the kernel starts with its default settings", source(properties),
                    e.getMessage());
            settings = BrokerSettings.defaults();
        }
        start(settings);
    }

    /**
     * A changed configuration: an invalid one is refused with a log line naming file and key, and the kernel
     * keeps running as it is; a valid one that changes the settings restarts the engine (clients reconnect;
     * sessions come back from the session store).
     */
    @Modified
    private synchronized void modified(Map<String, Object> properties) {
        warnUnknownKeys(properties);
        configSource = source(properties);
        String wanted = persistence(properties);
        if (!wanted.equals(persistence)) {
            persistence = wanted;
            LOG.info("Configuration {}: persistence = {}; switching stores while the broker runs", configSource,
                    wanted.isEmpty() ? "(the best ranked store)" : wanted);
            chooseStores(true);
        }
        BrokerSettings settings;
        try {
            settings = KernelSettings.from(properties);
        } catch (IllegalArgumentException e) {
            LOG.error("Invalid configuration {}: {}; the kernel keeps its current settings", source(properties),
                    e.getMessage());
            return;
        }
        if (settings.equals(kernel.settings())) {
            return;
        }
        LOG.info("Kernel settings changed ({}); restarting the engine", source(properties));
        stop();
        start(settings);
    }

    @Deactivate
    private synchronized void deactivate() {
        stop();
    }

    private void start(BrokerSettings settings) {
        kernel = Kernel.start(settings);
        chooseStores();
        pushAuthPlugins();
        pushAuthProviders();
        kernel.quarantine(this::quarantine);
        faultBudgets.values().stream().filter(FaultBudget::exhausted).forEach(kernel.interceptors()::quarantined);
        for (Map.Entry<Object, Map<String, Object>> i : interceptors.entrySet()) {
            pushInterceptor(i.getKey(), i.getValue());
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_DESCRIPTION, "Cairn MQTT kernel " + Kernel.VERSION);
        brokerRegistration = context.registerService(Broker.class, kernel.broker(), props);
        if (persistence.isEmpty() || sessionStoreInUse != null) {
            openListeners();
        }
    }

    /**
     * Registers the {@link TransportContext}: transports bind their listeners and clients come in. With a
     * {@code persistence} key this waits for that store, so that no client gets a fresh session while its stored
     * one is still on its way.
     */
    private void openListeners() {
        if (listening == kernel) {
            return;
        }
        listening = kernel;
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_DESCRIPTION, "Cairn MQTT kernel " + Kernel.VERSION);
        Kernel serving = kernel;
        uninstalls = event -> {
            if (event.getType() == BundleEvent.UNINSTALLED) {
                serving.transportProviderUninstalled(event.getBundle().getBundleId());
            }
        };
        context.addBundleListener(uninstalls);
        // one context per transport bundle, so the broker service can tell which bundle version serves a listener
        contextRegistration = context.registerService(TransportContext.class, new ServiceFactory<>() {
            @Override
            public TransportContext getService(Bundle bundle, ServiceRegistration<TransportContext> registration) {
                return serving.transportContext(bundle.getBundleId(),
                        bundle.getSymbolicName() + ' ' + bundle.getVersion());
            }

            @Override
            public void ungetService(Bundle bundle, ServiceRegistration<TransportContext> registration,
                                     TransportContext service) {
                // the transport's registrations are its own to close or hand over
            }
        }, props);
        // bridges connect like clients: only once the store is in place, like the listeners
        bridgeRegistration = context.registerService(BridgeContext.class, serving.bridgeContext(), props);
    }

    private void stop() {
        if (bridgeRegistration != null) {
            bridgeRegistration.unregister(); // bridges stop (their reference is static and mandatory)
            bridgeRegistration = null;
        }
        // transports stop first: their reference to the context is static and mandatory
        if (contextRegistration != null) {
            contextRegistration.unregister();
            contextRegistration = null;
            context.removeBundleListener(uninstalls);
        }
        listening = null;
        brokerRegistration.unregister();
        brokerRegistration = null;
        kernel.close();
        kernel = null;
        sessionStoreInUse = null;
        retainedStoreInUse = null;
    }

    private static void warnUnknownKeys(Map<String, Object> properties) {
        for (String key : KernelSettings.unknownKeys(properties)) {
            LOG.warn("Configuration {}: unknown key {} is ignored", source(properties), key);
        }
    }

    private static String source(Map<String, Object> properties) {
        Object file = properties.get("felix.fileinstall.filename");
        return file != null ? String.valueOf(file) : "io.cairn.kernel";
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindSessionStore(SessionStore store, Map<String, Object> props) {
        sessionStores.add(new Store<>(store, ranking(props), id(props), storeName(props)));
        chooseStores();
    }

    synchronized void unbindSessionStore(SessionStore store) {
        sessionStores.removeIf(r -> r.service() == store);
        if (kernel != null && sessionStoreInUse == store) {
            kernel.dropSessionStore(store);
            sessionStoreInUse = null;
        }
        chooseStores();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindRetainedStore(RetainedStore store, Map<String, Object> props) {
        retainedStores.add(new Store<>(store, ranking(props), id(props), storeName(props)));
        chooseStores();
    }

    synchronized void unbindRetainedStore(RetainedStore store) {
        retainedStores.removeIf(r -> r.service() == store);
        if (kernel != null && retainedStoreInUse == store) {
            kernel.dropRetainedStore(store);
            retainedStoreInUse = null;
        }
        chooseStores();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindEnhancedAuthenticator(EnhancedAuthenticator a, Map<String, Object> props) {
        authenticators.removeIf(p -> p.service() == a);
        authenticators.add(provider(a, props));
        pushAuthPlugins();
    }

    synchronized void updatedEnhancedAuthenticator(EnhancedAuthenticator a, Map<String, Object> props) {
        bindEnhancedAuthenticator(a, props);
    }

    synchronized void unbindEnhancedAuthenticator(EnhancedAuthenticator a) {
        authenticators.removeIf(p -> p.service() == a);
        pushAuthPlugins();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindServerRedirector(ServerRedirector r, Map<String, Object> props) {
        redirectors.add(new Ranked<>(r, ranking(props), id(props)));
        pushAuthPlugins();
    }

    synchronized void unbindServerRedirector(ServerRedirector r) {
        redirectors.removeIf(x -> x.service() == r);
        pushAuthPlugins();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindAuthenticator(Authenticator a, Map<String, Object> props) {
        put(passwordAuthenticators, a, props);
    }

    synchronized void updatedAuthenticator(Authenticator a, Map<String, Object> props) {
        put(passwordAuthenticators, a, props); // its name or ranking changed
    }

    synchronized void unbindAuthenticator(Authenticator a) {
        remove(passwordAuthenticators, a);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindAuthorizer(Authorizer a, Map<String, Object> props) {
        put(authorizers, a, props);
    }

    synchronized void updatedAuthorizer(Authorizer a, Map<String, Object> props) {
        put(authorizers, a, props);
    }

    synchronized void unbindAuthorizer(Authorizer a) {
        remove(authorizers, a);
    }

    // ------------------------------------------------------------------ interceptors

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindConnectInterceptor(ConnectInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void updatedConnectInterceptor(ConnectInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void unbindConnectInterceptor(ConnectInterceptor i) {
        removeInterceptor(i);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindPublishInterceptor(PublishInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void updatedPublishInterceptor(PublishInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void unbindPublishInterceptor(PublishInterceptor i) {
        removeInterceptor(i);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindSubscribeInterceptor(SubscribeInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void updatedSubscribeInterceptor(SubscribeInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void unbindSubscribeInterceptor(SubscribeInterceptor i) {
        removeInterceptor(i);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindUnsubscribeInterceptor(UnsubscribeInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void updatedUnsubscribeInterceptor(UnsubscribeInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void unbindUnsubscribeInterceptor(UnsubscribeInterceptor i) {
        removeInterceptor(i);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindDisconnectInterceptor(DisconnectInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void updatedDisconnectInterceptor(DisconnectInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void unbindDisconnectInterceptor(DisconnectInterceptor i) {
        removeInterceptor(i);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindDeliveryInterceptor(DeliveryInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void updatedDeliveryInterceptor(DeliveryInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void unbindDeliveryInterceptor(DeliveryInterceptor i) {
        removeInterceptor(i);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindAsyncPublishInterceptor(AsyncPublishInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void updatedAsyncPublishInterceptor(AsyncPublishInterceptor i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void unbindAsyncPublishInterceptor(AsyncPublishInterceptor i) {
        removeInterceptor(i);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindBrokerEventListener(BrokerEventListener i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void updatedBrokerEventListener(BrokerEventListener i, Map<String, Object> props) {
        addInterceptor(i, props);
    }

    synchronized void unbindBrokerEventListener(BrokerEventListener i) {
        removeInterceptor(i);
    }

    /**
     * Keeps {@code service} (which may implement several interceptor interfaces and so be bound more than once)
     * with its properties, and hands it to the kernel; an invalid property is one ERROR line naming the bundle and
     * the property, and the interceptor is not applied.
     */
    private void addInterceptor(Object service, Map<String, Object> props) {
        interceptors.put(service, props);
        pushInterceptor(service, props);
    }

    private void removeInterceptor(Object service) {
        if (interceptors.remove(service) != null && kernel != null) {
            kernel.interceptors().remove(service);
        }
    }

    private void pushInterceptor(Object service, Map<String, Object> props) {
        if (kernel == null) {
            return;
        }
        long bundleId = props.get("service.bundleid") instanceof Long l ? l : -1L;
        Bundle bundle = context.getBundle(bundleId);
        String plugin = bundle == null ? "bundle " + bundleId : bundle.getSymbolicName();
        String version = bundle == null ? null : bundle.getVersion().toString();
        // a bundle started again after its quarantine (or updated) gets a fresh budget
        FaultBudget budget = faultBudgets.compute(bundleId, (id, old) -> old != null && !old.exhausted()
                && Objects.equals(old.version(), version) ? old
                : new FaultBudget(plugin, version, kernel.settings().interceptorErrorBudget(),
                        TimeUnit.MINUTES.toNanos(1)));
        String owner = budget.owner();
        try {
            kernel.interceptors().add(service, budget, ranking(props), id(props), props);
        } catch (IllegalArgumentException e) {
            LOG.error("Interceptor {} of {} not applied: {}", service.getClass().getName(), owner, e.getMessage());
        }
    }

    /**
     * Stops the bundle whose interceptors exhausted their error budget (the kernel removed them already), from
     * another thread than the broker's: the framework calls back into this component while it stops the bundle.
     */
    private void quarantine(FaultBudget owner) {
        Long bundleId = null;
        synchronized (this) {
            for (Map.Entry<Long, FaultBudget> e : faultBudgets.entrySet()) {
                if (e.getValue() == owner) {
                    bundleId = e.getKey();
                }
            }
        }
        Bundle bundle = bundleId == null ? null : context.getBundle(bundleId);
        if (bundle == null) {
            return;
        }
        Thread stopper = new Thread(() -> {
            try {
                bundle.stop(Bundle.STOP_TRANSIENT);
                LOG.error("Plugin {} {} quarantined (stopped until restarted or updated): its interceptors failed "
                        + "{} times within a minute, over the error budget of {}", bundle.getSymbolicName(),
                        bundle.getVersion(), owner.exceptions() + owner.overruns(),
                        kernel == null ? "?" : kernel.settings().interceptorErrorBudget());
            } catch (BundleException | IllegalStateException e) {
                LOG.error("Plugin {} could not be quarantined: {}", bundle.getSymbolicName(), e.toString());
            }
        }, "cairn-quarantine");
        stopper.setDaemon(true);
        stopper.start();
    }

    /** Adds {@code service}, or replaces it with its new properties, and hands the kernel the new providers. */
    private <T> void put(List<Provider<T>> providers, T service, Map<String, Object> props) {
        providers.removeIf(p -> p.service() == service);
        providers.add(provider(service, props));
        pushAuthProviders();
    }

    private <T> void remove(List<Provider<T>> providers, T service) {
        providers.removeIf(p -> p.service() == service);
        pushAuthProviders();
    }

    private static <T> Provider<T> provider(T service, Map<String, Object> props) {
        Object name = props.get("name");
        return new Provider<>(service, name == null ? "" : name.toString(), ranking(props), id(props), props);
    }

    /** Hands the kernel the authenticators and authorizers; it rebuilds each listener's chains from them. */
    private void pushAuthProviders() {
        if (kernel != null) {
            kernel.authProviders(List.copyOf(passwordAuthenticators), List.copyOf(authorizers));
        }
    }

    /** Hands the kernel one snapshot of the authentication plugins, best ranked first. */
    private void pushAuthPlugins() {
        if (kernel == null) {
            return;
        }
        kernel.authPlugins(new AuthPlugins(
                authenticators.stream().sorted(Provider.ASKED_FIRST).toList(),
                redirectors.stream().sorted(Ranked.BEST_FIRST).map(Ranked::service).toList()));
    }

    /**
     * Puts the right stores in force: those named by {@code persistence}, or else the best ranked. The kernel
     * moves its state to a new store while clients stay connected ({@link Kernel#useSessionStore}).
     */
    private void chooseStores() {
        chooseStores(false);
    }

    /** As {@link #chooseStores()}; {@code configChanged}: the persistence key was just changed. */
    private void chooseStores(boolean configChanged) {
        if (kernel == null) {
            return;
        }
        SessionStore sessions = pick(sessionStores);
        if (sessions != null && sessions != sessionStoreInUse) {
            kernel.useSessionStore(sessions);
            sessionStoreInUse = sessions;
        } else if (sessions == null && configChanged) {
            LOG.warn("No session store named '{}' (persistence in {}) is available; sessions stay with {}",
                    persistence, configSource, sessionStoreInUse != null ? sessionStoreInUse : "the kernel's memory");
        }
        RetainedStore retained = pick(retainedStores);
        if (retained != null && retained != retainedStoreInUse) {
            kernel.useRetainedStore(retained);
            retainedStoreInUse = retained;
        }
        if (sessionStoreInUse != null && brokerRegistration != null) {
            openListeners();
        }
    }

    private <T> T pick(List<Store<T>> stores) {
        return stores.stream()
                .filter(s -> persistence.isEmpty() || persistence.equals(s.name()))
                .sorted(Store.BEST_FIRST).map(Store::service).findFirst().orElse(null);
    }

    private static String persistence(Map<String, Object> properties) {
        Object value = properties.get("persistence");
        return value == null ? "" : String.valueOf(value).trim();
    }

    private static String storeName(Map<String, Object> props) {
        Object name = props.get(STORE_NAME);
        return name == null ? "" : String.valueOf(name);
    }

    private static int ranking(Map<String, Object> props) {
        return props.get(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
    }

    private static long id(Map<String, Object> props) {
        return props.get(Constants.SERVICE_ID) instanceof Long l ? l : 0L;
    }
}
