package io.cairn.auth.file;

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
import org.w3c.dom.NodeList;

/**
 * Checks the packaged bundle: the versioned export, imports that Felix can satisfy (the API, SLF4J and the
 * framework, nothing else), and the Declarative Services descriptor of the factory component, which registers
 * its services itself (so it declares none) and needs a configuration.
 */
class FileAuthBundleIT {

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
    @DisplayName("the bundle is named io.cairn.auth.file and exports only io.cairn.auth.file, at version 1.0.0")
    void exportsOnlyItsVersionedPackage() {
        assertThat(manifest.getValue("Bundle-SymbolicName")).isEqualTo("io.cairn.auth.file");
        assertThat(clauses(manifest.getValue("Export-Package")))
                .singleElement().satisfies(clause -> assertThat(clause)
                        .startsWith("io.cairn.auth.file;").contains("version=\"1.0.0\""));
    }

    @Test
    @DisplayName("the bundle imports the auth API in the consumer range [1.1,2), SLF4J 2 and the framework, and no other package outside the JDK")
    void importsOnlyWhatTheRuntimeExports() {
        List<String> imports = clauses(manifest.getValue("Import-Package"));
        assertThat(imports).contains("io.cairn.api.auth;version=\"[1.1,2)\"",
                "io.cairn.api.message;version=\"[1.0,2)\"", "org.slf4j;version=\"[2.0,3)\"");
        assertThat(imports).filteredOn(i -> !i.startsWith("java.") && !i.startsWith("javax.crypto")
                        && !i.startsWith("javax.security.auth"))
                .extracting(i -> i.indexOf(';') < 0 ? i : i.substring(0, i.indexOf(';')))
                .containsExactlyInAnyOrder("io.cairn.api.auth", "io.cairn.api.message", "org.slf4j",
                        "org.osgi.framework");
    }

    @Test
    @DisplayName("Argon2id's Bouncy Castle classes are inside the bundle, private: nothing of Bouncy Castle is "
            + "imported or exported")
    void bouncyCastleIsPrivate() throws Exception {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(System.getProperty("cairn.bundle"))) {
            assertThat(jar.getEntry("org/bouncycastle/crypto/generators/Argon2BytesGenerator.class")).isNotNull();
        }
        assertThat(manifest.getValue("Import-Package")).doesNotContain("org.bouncycastle");
        assertThat(manifest.getValue("Export-Package")).doesNotContain("org.bouncycastle");
    }

    @Test
    @DisplayName("one factory component on PID io.cairn.auth.file that requires its configuration and declares no service")
    void declaresTheFactoryComponent() throws Exception {
        String className = "io.cairn.auth.file.internal.FileAuthComponent";
        assertThat(clauses(manifest.getValue("Service-Component")))
                .containsExactly("OSGI-INF/" + className + ".xml");
        Element component = descriptor("OSGI-INF/" + className + ".xml");
        assertThat(component.getAttribute("configuration-pid")).isEqualTo("io.cairn.auth.file");
        assertThat(component.getAttribute("configuration-policy")).isEqualTo("require");
        assertThat(component.getAttribute("modified")).isEqualTo("modified");
        assertThat(component.getElementsByTagName("service").getLength()).isZero();
        assertThat(attributes(component, "implementation", "class")).containsExactly(className);
    }

    @Test
    @DisplayName("the metatype describes a factory configuration with every key")
    void metatypeIsAFactory() throws Exception {
        ZipEntry entry = bundle.getEntry("OSGI-INF/metatype/io.cairn.auth.file.internal.FileAuthConfiguration.xml");
        assertThat(entry).isNotNull();
        try (InputStream in = bundle.getInputStream(entry)) {
            String xml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(xml).contains("factoryPid=\"io.cairn.auth.file\"");
            for (String key : List.of("name", "passwordFile", "aclFile", "service.ranking", "reloadIntervalMillis",
                    "timeoutMillis", "cacheSize", "verifyThreads", "rejectUnknownUsers")) {
                assertThat(xml).contains("id=\"" + key + "\"");
            }
        }
    }

    @Test
    @DisplayName("the cairn-passwd main class is in the jar")
    void containsTheTool() {
        assertThat(bundle.getEntry("io/cairn/auth/file/internal/PasswdTool.class")).isNotNull();
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
