package io.cairn.kernel.auth;

import io.cairn.api.auth.Authenticator;
import io.cairn.api.auth.Authorizer;
import io.cairn.api.auth.ListenerSecurity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication and authorization providers of the broker and each listener's chains built from them.
 * Providers and listener configurations change under a lock; connections read their listener's chain without
 * one ({@link ListenerGuard#chain()}).
 *
 * <p>When an authorizer reports a change of its policy, or the authorizers of a chain change, the kernel's
 * {@code policyChanged} callback runs (it checks the subscriptions of connected clients again) and
 * {@link #policyVersion()} moves on, so decisions cached by connections are dropped.
 */
public final class Security {

    private static final Logger LOG = LoggerFactory.getLogger(Security.class);

    private final Map<String, ListenerGuard> guards = new ConcurrentHashMap<>();
    private final Map<String, ListenerSecurity> configured = new ConcurrentHashMap<>();
    private final AtomicLong policyVersion = new AtomicLong();
    private final Runnable policyChanged;
    private final Runnable policyListener = this::onPolicyChanged;
    private List<Provider<Authenticator>> authenticators = List.of();
    private List<Provider<Authorizer>> authorizers = List.of();

    /** @param policyChanged run (on the caller's thread) after the policy of some chain changed */
    public Security(Runnable policyChanged) {
        this.policyChanged = Objects.requireNonNull(policyChanged, "policyChanged");
    }

    /** The guard of {@code listener}; a listener never configured gets {@link ListenerSecurity#DEFAULT}. */
    public ListenerGuard guard(String listener) {
        ListenerGuard g = guards.get(listener);
        if (g != null) {
            return g;
        }
        synchronized (this) {
            return guards.computeIfAbsent(listener, l -> new ListenerGuard(l, build(l, securityOf(l))));
        }
    }

    /**
     * Sets the security of {@code listener} (when it registers, or when its configuration changes).
     *
     * @throws IllegalArgumentException naming the setting, if a selector is invalid; nothing changes then
     */
    public synchronized void configure(String listener, ListenerSecurity security) {
        Objects.requireNonNull(security, "security");
        parse("authenticators", security.authenticators());
        parse("authorizers", security.authorizers());
        ListenerSecurity before = configured.put(listener, security);
        ListenerGuard g = guards.get(listener);
        if (g == null) {
            g = new ListenerGuard(listener, build(listener, security));
            guards.put(listener, g);
            LOG.info("Listener {}: {}", listener, g.chain().description());
        } else if (!security.equals(before)) {
            swap(g, build(listener, security));
        }
    }

    /**
     * Replaces the providers: each listener's chains are rebuilt from them. Providers are asked in
     * {@link Provider#ASKED_FIRST} order whatever the order of the lists.
     */
    public synchronized void providers(List<Provider<Authenticator>> newAuthenticators,
                                       List<Provider<Authorizer>> newAuthorizers) {
        List<Provider<Authorizer>> before = authorizers;
        authenticators = newAuthenticators.stream().sorted(Provider.ASKED_FIRST).toList();
        authorizers = newAuthorizers.stream().sorted(Provider.ASKED_FIRST).toList();
        for (Provider<Authorizer> p : authorizers) {
            if (before.stream().noneMatch(b -> b.service() == p.service())) {
                p.service().addPolicyListener(policyListener);
            }
        }
        for (Provider<Authorizer> p : before) {
            if (authorizers.stream().noneMatch(a -> a.service() == p.service())) {
                p.service().removePolicyListener(policyListener);
            }
        }
        boolean authorizationChanged = false;
        for (ListenerGuard g : guards.values()) {
            authorizationChanged |= swap(g, build(g.listener(), securityOf(g.listener())));
        }
        if (authorizationChanged) {
            onPolicyChanged();
        }
    }

    /** Lets go of every authorizer's policy listener (the kernel stops). */
    public synchronized void close() {
        for (Provider<Authorizer> p : authorizers) {
            p.service().removePolicyListener(policyListener);
        }
    }

    /** Moves on whenever some policy may have changed; decisions cached under an older value are stale. */
    public long policyVersion() {
        return policyVersion.get();
    }

    private void onPolicyChanged() {
        policyVersion.incrementAndGet();
        try {
            policyChanged.run();
        } catch (RuntimeException e) {
            LOG.error("Checking subscriptions after a policy change failed", e);
        }
    }

    /** Puts {@code next} in force; returns whether its authorization differs from the chain it replaces. */
    private boolean swap(ListenerGuard g, Chain next) {
        Chain previous = g.chain();
        g.chain(next);
        if (!previous.description().equals(next.description())) {
            LOG.info("Listener {}: {}", g.listener(), next.description());
        }
        policyVersion.incrementAndGet();
        return previous.open() != next.open() || !sameServices(previous.authorizers(), next.authorizers());
    }

    private static boolean sameServices(Provider<Authorizer>[] a, Provider<Authorizer>[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i].service() != b[i].service()) {
                return false;
            }
        }
        return true;
    }

    private ListenerSecurity securityOf(String listener) {
        return configured.getOrDefault(listener, ListenerSecurity.DEFAULT);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Chain build(String listener, ListenerSecurity security) {
        Selector authenticatorSelector = parse("authenticators", security.authenticators());
        Selector authorizerSelector = parse("authorizers", security.authorizers());
        List<Provider<Authenticator>> chosenAuthenticators = authenticators.stream()
                .filter(authenticatorSelector::selects).toList();
        List<Provider<Authorizer>> chosenAuthorizers = new ArrayList<>();
        for (Provider<Authorizer> p : authorizers) {
            if (authorizerSelector.selects(p)) {
                chosenAuthorizers.add(p);
            }
        }
        boolean open = chosenAuthorizers.isEmpty() && (authorizerSelector.isAll() || authorizerSelector.isNone());
        String description = "authentication by " + (chosenAuthenticators.isEmpty() ? "no authenticator"
                : labels(chosenAuthenticators)) + (authenticatorSelector.isAll() ? "" : " (selected: "
                + authenticatorSelector + ")") + (security.allowAnonymous() ? ", anonymous clients allowed"
                : ", no anonymous clients") + "; authorization "
                + (open ? "open (" + (authorizerSelector.isNone() ? "authorizers = none" : "no authorizer") + ")"
                : chosenAuthorizers.isEmpty() ? "denies everything (selected " + authorizerSelector
                + ", none installed)" : "by " + labels(chosenAuthorizers) + (authorizerSelector.isAll() ? ""
                : " (selected: " + authorizerSelector + ")"));
        return new Chain(listener, security.allowAnonymous(), chosenAuthenticators, authenticatorSelector,
                chosenAuthorizers.toArray(new Provider[0]), open, description);
    }

    private static String labels(List<? extends Provider<?>> providers) {
        return providers.stream().map(Provider::label).collect(Collectors.joining(", "));
    }

    private static Selector parse(String key, String text) {
        try {
            return Selector.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }
}
