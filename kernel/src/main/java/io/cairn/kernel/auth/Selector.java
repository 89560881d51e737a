package io.cairn.kernel.auth;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Picks the providers of a listener's chain (see {@link io.cairn.api.auth.ListenerSecurity}): every provider, none
 * ({@code none}), the providers named in a comma-separated list, or those an LDAP-style filter over their service
 * properties matches. Immutable.
 */
public final class Selector {

    /** Every provider. */
    public static final Selector ALL = new Selector("", null, null);

    /** No provider at all ({@code none}): no authenticator, or authorization that lets everything through. */
    public static final Selector NONE = new Selector("none", Set.of(), null);

    private final String text;
    private final Set<String> names;
    private final Predicate<java.util.Map<String, Object>> filter;

    private Selector(String text, Set<String> names, Predicate<java.util.Map<String, Object>> filter) {
        this.text = text;
        this.names = names;
        this.filter = filter;
    }

    /**
     * Parses a selector.
     *
     * @throws IllegalArgumentException naming the problem, for an invalid filter or an empty name in a list
     */
    public static Selector parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty() || t.equals("*")) {
            return ALL;
        }
        if (t.equals("none")) {
            return NONE;
        }
        if (t.startsWith("(")) {
            return new Selector(t, null, LdapFilters.compile(t));
        }
        Set<String> names = Arrays.stream(t.split(",")).map(String::strip).collect(Collectors.toCollection(
                LinkedHashSet::new));
        if (names.contains("")) {
            throw new IllegalArgumentException("'" + t + "' has an empty provider name");
        }
        return new Selector(t, Set.copyOf(names), null);
    }

    /** Whether {@code provider} is in the chain. */
    public boolean selects(Provider<?> provider) {
        if (names != null) {
            return names.contains(provider.name());
        }
        return filter == null || filter.test(provider.properties());
    }

    /** Whether this selects every provider (rather than naming some). */
    public boolean isAll() {
        return this == ALL;
    }

    /** Whether this selects no provider on purpose ({@code none}). */
    public boolean isNone() {
        return this == NONE;
    }

    @Override
    public String toString() {
        if (isAll() || isNone()) {
            return isAll() ? "all providers" : "none";
        }
        return names != null ? "providers " + String.join(", ", names) : "providers " + text;
    }
}
