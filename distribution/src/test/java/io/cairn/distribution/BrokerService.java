package io.cairn.distribution;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The broker service of a running runtime, read by reflection: the API bundle is not on the tests' class path
 * (inside Felix it must be the only copy), so its types are reached through the service object.
 */
final class BrokerService {

    /** A listener as {@code Broker.listenerStatus()} shows it. */
    record Listener(String name, String scheme, int port, String provider, int connections, String state) {
    }

    /** A bridge as {@code Broker.bridges()} shows it. */
    record Bridge(String name, String remote, boolean connected, long queued, long sent, long received,
                  String lastError) {
    }

    private final Cairn cairn;

    BrokerService(Cairn cairn) {
        this.cairn = cairn;
    }

    /** Every listener the kernel holds now; empty while there is no broker service. */
    List<Listener> listeners() throws Exception {
        BundleContext ctx = cairn.framework().getBundleContext();
        ServiceReference<?> ref = ctx.getServiceReference("io.cairn.api.broker.Broker");
        List<Listener> list = new ArrayList<>();
        if (ref == null) {
            return list;
        }
        Object broker = ctx.getService(ref);
        try {
            Class<?> type = broker.getClass().getClassLoader().loadClass("io.cairn.api.broker.Broker");
            for (Object status : (List<?>) type.getMethod("listenerStatus").invoke(broker)) {
                Object info = call(status, "listener");
                list.add(new Listener((String) call(info, "name"), (String) call(info, "scheme"),
                        (Integer) call(info, "port"), (String) call(status, "provider"),
                        (Integer) call(status, "connections"), call(status, "state").toString()));
            }
            return list;
        } finally {
            ctx.ungetService(ref);
        }
    }

    /** Every bridge running now; empty while there is no broker service. */
    List<Bridge> bridges() throws Exception {
        BundleContext ctx = cairn.framework().getBundleContext();
        ServiceReference<?> ref = ctx.getServiceReference("io.cairn.api.broker.Broker");
        List<Bridge> list = new ArrayList<>();
        if (ref == null) {
            return list;
        }
        Object broker = ctx.getService(ref);
        try {
            Class<?> type = broker.getClass().getClassLoader().loadClass("io.cairn.api.broker.Broker");
            for (Object status : (List<?>) type.getMethod("bridges").invoke(broker)) {
                list.add(new Bridge((String) call(status, "name"), (String) call(status, "remote"),
                        (Boolean) call(status, "connected"), (Long) call(status, "queued"),
                        (Long) call(status, "sent"), (Long) call(status, "received"),
                        (String) call(status, "lastError")));
            }
            return list;
        } finally {
            ctx.ungetService(ref);
        }
    }

    /** The bridge named {@code name}, or {@code null}. */
    Bridge bridge(String name) throws Exception {
        return bridges().stream().filter(b -> b.name().equals(name)).findFirst().orElse(null);
    }

    /** The listener named {@code name}, or {@code null}. */
    Listener listener(String name) throws Exception {
        return listeners().stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
    }

    private static Object call(Object target, String accessor) throws Exception {
        Method m = target.getClass().getMethod(accessor);
        return m.invoke(target);
    }
}
