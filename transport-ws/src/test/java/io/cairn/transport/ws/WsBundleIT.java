package io.cairn.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * (Adapted from transport-tls's TlsBundleIT.) Checks the packaged bundle: its versioned export, that every package
 * it imports is exported, in range, by the bundles the runtime has (the API bundle, the TLS transport's bundle, the
 * Netty bundles), and the Declarative Services descriptor of the listener factory. Not a Felix run.
 */
class WsBundleIT {

    private static JarFile bundle;
    private static Attributes manifest;

    @BeforeAll
    static void openBundle() throws Exception {
        String location = System.getProperty("cairn.bundle");
        assertThat(location).as("system property cairn.bundle (set by the POM)").isNotBlank();
        bundle = new JarFile(location);
        manifest = bundle.getManifest().getMainAttributes();
    }

    @AfterAll
    static void closeBundle() throws Exception {
        if (bundle != null) {
            bundle.close();
        }
    }

    @Test
    @DisplayName("the bundle is io.cairn.transport.ws and exports only io.cairn.transport.ws 1.0.0")
    void exportsOnlyItsVersionedPackage() {
        assertThat(manifest.getValue("Bundle-SymbolicName")).isEqualTo("io.cairn.transport.ws");
        assertThat(clauses(manifest.getValue("Export-Package"))).singleElement()
                .satisfies(c -> assertThat(c).startsWith("io.cairn.transport.ws;").contains("version=\"1.0.0\""));
    }

    @Test
    @DisplayName("every imported package outside the JDK is exported, in range, by the API, TLS or a Netty bundle")
    void importsAreResolvable() throws Exception {
        Map<String, List<Version>> exported = new HashMap<>(); // slf4j 2 exports org.slf4j at 2.0.x and 1.7.36
        List<Path> exporters = new ArrayList<>(List.of(Path.of(System.getProperty("cairn.api.bundle")),
                Path.of(System.getProperty("cairn.tls.bundle"))));
        for (Class<?> c : new Class<?>[] {ServerBootstrap.class, ByteBuf.class, Channel.class, SslHandler.class,
                io.netty.util.AttributeKey.class, HttpServerCodec.class, ByteToMessageDecoder.class, org.slf4j.Logger.class}) {
            exporters.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
        }
        for (Path jar : exporters) {
            try (JarFile j = new JarFile(jar.toFile())) {
                String header = j.getManifest().getMainAttributes().getValue("Export-Package");
                assertThat(header).as("Export-Package of %s", jar).isNotNull();
                for (String clause : clauses(header)) {
                    exported.computeIfAbsent(clause.split(";")[0], k -> new ArrayList<>())
                            .add(version(clause, "version", "0.0.0"));
                }
            }
        }
        List<String> imports = clauses(manifest.getValue("Import-Package")).stream()
                .filter(i -> !i.startsWith("java.") && !i.startsWith("javax.")).toList();
        assertThat(imports).isNotEmpty();
        for (String clause : imports) {
            String pkg = clause.split(";")[0];
            assertThat(exported).as("an exporter of %s", pkg).containsKey(pkg);
            VersionRange range = new VersionRange(attribute(clause, "version", "0.0.0"));
            assertThat(exported.get(pkg)).as("%s exported in %s", pkg, range).anyMatch(range::includes);
        }
        assertThat(imports).noneMatch(i -> i.startsWith("io.netty.internal.tcnative") || i.contains("bouncycastle")
                || i.startsWith("io.cairn.kernel") || i.startsWith("io.cairn.transport.tls.internal"));
        assertThat(imports).anyMatch(i -> i.startsWith("io.cairn.transport.tls;") && i.contains("[1.1"));
    }

    @Test
    @DisplayName("the listener factory: PID io.cairn.transport.ws, configuration required, kernel context needed; "
            + "no port or TLS key among the component properties")
    void declaresTheListenerFactory() throws Exception {
        String name = "io.cairn.transport.ws.internal.WsTransportComponent";
        assertThat(clauses(manifest.getValue("Service-Component"))).containsExactly("OSGI-INF/" + name + ".xml");
        ZipEntry entry = bundle.getEntry("OSGI-INF/" + name + ".xml");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element component;
        try (InputStream in = bundle.getInputStream(entry)) {
            component = factory.newDocumentBuilder().parse(in).getDocumentElement();
        }
        assertThat(component.getAttribute("configuration-pid")).isEqualTo("io.cairn.transport.ws");
        assertThat(component.getAttribute("configuration-policy")).isEqualTo("require");
        NodeList references = component.getElementsByTagName("reference");
        assertThat(references.getLength()).isEqualTo(1);
        assertThat(((Element) references.item(0)).getAttribute("interface"))
                .isEqualTo("io.cairn.api.transport.TransportContext");
        Map<String, String> defaults = new HashMap<>();
        NodeList properties = component.getElementsByTagName("property");
        for (int i = 0; i < properties.getLength(); i++) {
            Element p = (Element) properties.item(i);
            defaults.put(p.getAttribute("name"), p.getAttribute("value"));
        }
        assertThat(defaults).containsEntry("host", "127.0.0.1").containsEntry("path", "/mqtt")
                .containsEntry("subprotocols", "mqtt,mqttv3.1").containsEntry("maxFrameSize", "1048576")
                .containsEntry("tls", "false").containsEntry("allowAnonymous", "false")
                .doesNotContainKeys("port", "clientAuth", "protocols", "reloadIntervalMillis", "handshakeTimeoutMillis",
                        "keyStoreType", "provider");
        assertThat(bundle.getEntry("OSGI-INF/metatype/io.cairn.transport.ws.internal.WsTransportConfiguration.xml"))
                .isNotNull();
    }

    private static Version version(String clause, String name, String fallback) {
        return Version.parseVersion(attribute(clause, name, fallback));
    }

    private static String attribute(String clause, String name, String fallback) {
        for (String part : clause.split(";")) {
            String p = part.strip();
            if (p.startsWith(name + "=")) {
                return p.substring(name.length() + 1).replace("\"", "");
            }
        }
        return fallback;
    }

    /** Splits a manifest header into clauses at commas outside quotes. */
    private static List<String> clauses(String header) {
        List<String> clauses = new ArrayList<>();
        if (header == null) {
            return clauses;
        }
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                clauses.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) {
            clauses.add(current.toString().strip());
        }
        return clauses;
    }
}
