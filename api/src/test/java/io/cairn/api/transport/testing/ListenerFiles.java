package io.cairn.api.transport.testing;

import java.util.HashMap;
import java.util.Map;

/** Configuration properties as FileInstall hands them to a transport's factory component, for its tests. */
public final class ListenerFiles {

    private ListenerFiles() {
    }

    /**
     * The properties of the file {@code file}, named {@code <factoryPid>-<name>.cfg}, holding
     * {@code keysAndValues} (key, value, key, value...): the keys, the factory configuration's PID
     * ({@code <factoryPid>~<name>}) and FileInstall's file name property.
     */
    public static Map<String, Object> fromFile(String factoryPid, String file, Object... keysAndValues) {
        String fileName = file.substring(file.lastIndexOf('/') + 1);
        Map<String, Object> properties = new HashMap<>();
        properties.put("service.pid", factoryPid + "~"
                + fileName.substring(factoryPid.length() + 1, fileName.length() - ".cfg".length()));
        properties.put("felix.fileinstall.filename", "file:" + file);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }
}
