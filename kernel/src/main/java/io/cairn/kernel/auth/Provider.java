package io.cairn.kernel.auth;

import java.util.Comparator;
import java.util.Map;
import java.util.Objects;

/**
 * An authentication or authorization provider as the kernel knows it: the service, its {@code name}, its
 * {@code service.ranking}, its registration order and all its service properties (for LDAP-style selectors).
 *
 * @param service    the provider
 * @param name       its {@code name} service property, or {@code ""}
 * @param ranking    its {@code service.ranking} (higher is asked first)
 * @param order      ties of ranking go to the lower order: the OSGi service id, or the embedded builder's order
 * @param properties its service properties
 */
public record Provider<T>(T service, String name, int ranking, long order, Map<String, Object> properties) {

    /** Highest ranking first, then the earliest registered. */
    public static final Comparator<Provider<?>> ASKED_FIRST = Comparator.<Provider<?>>comparingInt(Provider::ranking)
            .reversed().thenComparingLong(Provider::order);

    public Provider {
        Objects.requireNonNull(service, "service");
        name = Objects.requireNonNullElse(name, "");
        properties = Map.copyOf(properties);
    }

    /** A provider named {@code name}, ranked 0, registered {@code order}-th. */
    public static <T> Provider<T> of(T service, String name, long order) {
        return ranked(service, name, 0, order);
    }

    /**
     * A provider named {@code name} with {@code ranking}, registered {@code order}-th; its properties are its
     * {@code name} and {@code service.ranking}, as an OSGi service's would be.
     */
    public static <T> Provider<T> ranked(T service, String name, int ranking, long order) {
        String n = name == null ? "" : name;
        return new Provider<>(service, n, ranking, order, n.isEmpty() ? Map.of("service.ranking", ranking)
                : Map.of("name", n, "service.ranking", ranking));
    }

    /** The name for log lines: the {@code name} property, else the class. */
    public String label() {
        return name.isEmpty() ? service.getClass().getName() : name;
    }
}
