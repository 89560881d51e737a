package io.cairn.transport.ws.internal;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds {@link WsTransportConfiguration} instances from property maps the way Declarative Services does: a
 * missing key gives the element's default, a string is converted to the element's type, and a value that does
 * not convert fails when the element is read.
 */
final class Configurations {

    private Configurations() {
    }

    static WsTransportConfiguration of(Map<String, Object> properties) {
        return (WsTransportConfiguration) Proxy.newProxyInstance(WsTransportConfiguration.class.getClassLoader(),
                new Class<?>[] {WsTransportConfiguration.class}, (proxy, method, args) -> {
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
                    if (method.getReturnType() == long.class) {
                        return raw instanceof Number n ? n.longValue() : Long.parseLong(raw.toString().trim());
                    }
                    if (method.getReturnType() == boolean.class) {
                        return raw instanceof Boolean b ? b : Boolean.parseBoolean(raw.toString().trim());
                    }
                    return raw.toString();
                });
    }

    /** Properties as FileInstall hands them over for {@code etc/io.cairn.transport.ws-<name>.cfg}. */
    static Map<String, Object> fromFile(String file, Object... keysAndValues) {
        Map<String, Object> properties = new HashMap<>();
        String fileName = file.substring(file.lastIndexOf('/') + 1);
        properties.put("service.pid", WsTransportComponent.PID + "~"
                + fileName.substring(WsTransportComponent.PID.length() + 1, fileName.length() - ".cfg".length()));
        properties.put("felix.fileinstall.filename", "file:" + file);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }
}
