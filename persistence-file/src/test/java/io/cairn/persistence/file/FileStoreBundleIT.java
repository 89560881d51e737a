package io.cairn.persistence.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Checks the packaged bundle: the versioned export, imports limited to the API, OSGi and SLF4J, and the
 * Declarative Services descriptor that keeps the store inactive until it is configured.
 */
class FileStoreBundleIT {

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
    @DisplayName("the bundle is io.cairn.persistence.file and exports only its own package, at version 1.0.0")
    void exportsOnlyItsVersionedPackage() {
        assertThat(manifest.getValue("Bundle-SymbolicName")).isEqualTo("io.cairn.persistence.file");
        assertThat(clauses(manifest.getValue("Export-Package")))
                .singleElement().satisfies(clause -> assertThat(clause)
                        .startsWith("io.cairn.persistence.file;").contains("version=\"1.0.0\""));
    }

    @Test
    @DisplayName("the bundle imports only the Cairn API, the OSGi framework, SLF4J and the JDK")
    void importsOnlyApiOsgiAndSlf4j() {
        List<String> imports = clauses(manifest.getValue("Import-Package"));
        assertThat(imports).contains("io.cairn.api.persistence;version=\"[1.1,2)\"",
                "io.cairn.api.message;version=\"[1.0,2)\"");
        assertThat(imports).allSatisfy(clause -> assertThat(clause)
                .matches("(io\\.cairn\\.api\\.|org\\.osgi\\.|org\\.slf4j|java\\.).*"));
    }

    @Test
    @DisplayName("the component needs its configuration io.cairn.persistence.file and registers its services itself")
    void declaresTheComponent() throws Exception {
        String className = "io.cairn.persistence.file.internal.FileStoreComponent";
        assertThat(clauses(manifest.getValue("Service-Component")))
                .containsExactly("OSGI-INF/" + className + ".xml");
        Element component = descriptor("OSGI-INF/" + className + ".xml");

        assertThat(component.getAttribute("name")).isEqualTo(className);
        assertThat(component.getAttribute("configuration-policy")).isEqualTo("require");
        assertThat(component.getAttribute("configuration-pid")).isEqualTo("io.cairn.persistence.file");
        assertThat(component.getAttribute("immediate")).isEqualTo("true");
        assertThat(component.getElementsByTagName("service").getLength()).as("<service>").isZero();
        assertThat(bundle.getEntry("OSGI-INF/metatype/io.cairn.persistence.file.internal.FileStoreConfiguration.xml"))
                .as("metatype descriptor").isNotNull();
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
