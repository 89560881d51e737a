package io.cairn.auth.file.internal;

import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** Registers services: with the OSGi service registry, or with a test's own list. */
interface Registrar {

    /** A registered service. */
    interface Registration {
        /** Withdraws the service; does nothing if it is gone already. */
        void unregister();
    }

    <S> Registration register(Class<S> type, S service, Map<String, Object> properties);

    /** Registers through {@code context}. */
    static Registrar of(BundleContext context) {
        return new Registrar() {
            @Override
            public <S> Registration register(Class<S> type, S service, Map<String, Object> properties) {
                ServiceRegistration<S> registration = context.registerService(type, service,
                        new Hashtable<>(properties));
                return () -> {
                    try {
                        registration.unregister();
                    } catch (IllegalStateException e) {
                        // already unregistered (the bundle is stopping)
                    }
                };
            }
        };
    }
}
