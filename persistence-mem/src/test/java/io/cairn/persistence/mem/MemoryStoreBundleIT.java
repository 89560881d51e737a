package io.cairn.persistence.mem;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.persistence.RetainedStore;
import io.cairn.api.persistence.SessionStore;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Checks the packaged bundle: the versioned export, the API import range and the Declarative Services
 * descriptors that make both stores immediate, configuration-free services at ranking 0. Immediacy is what lets
 * the stored state outlive a restart of the kernel bundle: SCR would otherwise drop the instance once the
 * kernel released the service.
 */
class MemoryStoreBundleIT {

    private static JarFile bundle;
    private static Attributes manifest;

    @BeforeAll
    static void openBundle() throws Exception {
        String location = System.getProperty("cairn.bundle");
        assertThat(location).as("system property cairn.bundle (set by the POM)").isNotBlank();
        assertThat(Path.of(location)).isRegularFile();
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
    @DisplayName("the bundle is named io.cairn.persistence.mem and exports only its own package, at version 1.0.0")
    void exportsOnlyItsVersionedPackage() {
        assertThat(manifest.getValue("Bundle-SymbolicName")).isEqualTo("io.cairn.persistence.mem");
        assertThat(clauses(manifest.getValue("Export-Package")))
                .singleElement().satisfies(clause -> assertThat(clause)
                        .startsWith("io.cairn.persistence.mem;").contains("version=\"1.0.0\""));
    }

    @Test
    @DisplayName("the bundle imports the persistence API in the consumer range [1.1,2), the version it implements")
    void importsTheApiAsConsumer() {
        assertThat(clauses(manifest.getValue("Import-Package")))
                .contains("io.cairn.api.persistence;version=\"[1.1,2)\"",
                        "io.cairn.api.message;version=\"[1.0,2)\"");
    }

    @Test
    @DisplayName("the bundle declares both components to the DS runtime")
    void declaresBothComponents() {
        assertThat(clauses(manifest.getValue("Service-Component"))).containsExactlyInAnyOrder(
                "OSGI-INF/io.cairn.persistence.mem.MemorySessionStore.xml",
                "OSGI-INF/io.cairn.persistence.mem.MemoryRetainedStore.xml");
    }

    @ParameterizedTest(name = "{0} is an immediate, configuration-free service at ranking 0, named memory")
    @ValueSource(strings = {"MemorySessionStore", "MemoryRetainedStore"})
    void componentIsImmediateServiceAtRankingZero(String simpleName) throws Exception {
        String className = "io.cairn.persistence.mem." + simpleName;
        Class<?> service = simpleName.contains("Session") ? SessionStore.class : RetainedStore.class;
        Element component = descriptor("OSGI-INF/" + className + ".xml");

        assertThat(component.getAttribute("name")).isEqualTo(className);
        assertThat(component.getAttribute("immediate")).isEqualTo("true");
        assertThat(component.getAttribute("configuration-policy")).isEqualTo("ignore");
        assertThat(attributes(component, "implementation", "class")).containsExactly(className);
        assertThat(attributes(component, "provide", "interface")).containsExactly(service.getName());
        Map<String, Element> properties = properties(component);
        assertThat(properties).containsOnlyKeys("service.ranking", "cairn.store");
        assertThat(properties.get("service.ranking").getAttribute("type")).isEqualTo("Integer");
        assertThat(properties.get("service.ranking").getAttribute("value")).isEqualTo("0");
        // the name the kernel's persistence key selects it by
        assertThat(properties.get("cairn.store").getAttribute("value")).isEqualTo("memory");
        assertThat(service.isAssignableFrom(Class.forName(className))).isTrue();
        assertThat(Class.forName(className).getConstructor().newInstance()).isInstanceOf(service);
    }

    private static Element descriptor(String name) throws Exception {
        ZipEntry entry = bundle.getEntry(name);
        assertThat(entry).as("entry %s", name).isNotNull();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (InputStream in = bundle.getInputStream(entry)) {
            Document document = factory.newDocumentBuilder().parse(in);
            Element root = document.getDocumentElement();
            assertThat(root.getLocalName()).isEqualTo("component");
            assertThat(root.getNamespaceURI()).startsWith("http://www.osgi.org/xmlns/scr/v1.");
            return root;
        }
    }

    private static List<String> attributes(Element parent, String element, String attribute) {
        NodeList nodes = parent.getElementsByTagName(element);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            values.add(((Element) nodes.item(i)).getAttribute(attribute));
        }
        return values;
    }

    private static Map<String, Element> properties(Element component) {
        NodeList nodes = component.getElementsByTagName("property");
        Map<String, Element> byName = new java.util.HashMap<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            byName.put(e.getAttribute("name"), e);
        }
        return byName;
    }

    /** Splits a manifest header into its clauses at the commas that are not inside a quoted string. */
    private static List<String> clauses(String header) {
        assertThat(header).isNotNull();
        List<String> clauses = new ArrayList<>();
        StringBuilder clause = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                clauses.add(clause.toString().trim());
                clause.setLength(0);
            } else {
                clause.append(c);
            }
        }
        clauses.add(clause.toString().trim());
        return clauses;
    }
}
