package io.cairn.kernel.auth;

import java.util.Map;
import java.util.function.Predicate;

/**
 * LDAP-style filters (RFC 1960) over service properties, through the OSGi framework's own implementation
 * ({@code FrameworkUtil.createFilter}, which needs no running framework), so a selector means in the kernel what
 * it means everywhere else in OSGi. Kept in its own class so the embedded kernel loads the OSGi classes only when
 * a filter is used.
 */
final class LdapFilters {

    private LdapFilters() {
    }

    static Predicate<Map<String, Object>> compile(String text) {
        org.osgi.framework.Filter f;
        try {
            f = org.osgi.framework.FrameworkUtil.createFilter(text);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid filter: " + e.getMessage(), e);
        } catch (NoClassDefFoundError e) {
            throw new IllegalArgumentException("'" + text + "' is a filter, and filters need the OSGi framework "
                    + "classes (org.osgi:osgi.core) on the class path", e);
        }
        return f::matches;
    }
}
