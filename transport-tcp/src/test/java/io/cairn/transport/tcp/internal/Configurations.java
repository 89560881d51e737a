package io.cairn.transport.tcp.internal;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds {@link TcpTransportConfiguration} instances from property maps the way Declarative Services does: a
 * missing key gives the element's default, a string is converted to the element's type, and a value that does
 * not convert fails when the element is read.
 */
final class Configurations {

    private Configurations() {
    }

    static TcpTransportConfiguration of(Map<String, Object> properties) {
        return (TcpTransportConfiguration) Proxy.newProxyInstance(TcpTransportConfiguration.class.getClassLoader(),
                new Class<?>[] {TcpTransportConfiguration.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.invoke(properties, args);
                    }
                    Object raw = properties.get(method.getName());
                    if (raw == null) {
                        return method.getDefaultValue();
                    }
                    if (method.getReturnType() == int.class) {
                        return raw instanceof Number n ? n.intValue() : Integer.parseInt(raw.toString().trim());
                    }
                    return raw.toString();
                });
    }

    /** Properties as FileInstall hands them over for {@code etc/io.cairn.transport.tcp-<name>.cfg}. */
    static Map<String, Object> fromFile(String file, Object... keysAndValues) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("service.pid", TcpTransportComponent.PID + "~" + nameOf(file));
        properties.put("felix.fileinstall.filename", "file:" + file);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    private static String nameOf(String file) {
        String fileName = file.substring(file.lastIndexOf('/') + 1);
        return fileName.substring(TcpTransportComponent.PID.length() + 1, fileName.length() - ".cfg".length());
    }
}
