package io.cairn.auth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.api.auth.Authenticator;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Checks the packaged bundle: that it is self-contained (pool, drivers and bcrypt inside, no activator of theirs),
 * that every import it requires is exported by something the distribution has (the JDK through the system bundle,
 * the Cairn API, SLF4J, the framework), and the Declarative Services descriptor of the factory component.
 */
class JdbcAuthBundleIT {

    /** Packages of the distribution's system/ bundles that a plugin may require (besides the JDK's). */
    private static final Set<String> DISTRIBUTION = Set.of("io.cairn.api.auth", "io.cairn.api.message",
            "org.slf4j", "org.osgi.framework");

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
    @DisplayName("io.cairn.auth.jdbc exports only its own package, at 1.0.0, and has no Bundle-Activator")
    void exportsOnlyItsVersionedPackage() {
        assertThat(manifest.getValue("Bundle-SymbolicName")).isEqualTo("io.cairn.auth.jdbc");
        assertThat(clauses(manifest.getValue("Export-Package"))).singleElement()
                .satisfies(c -> assertThat(c).startsWith("io.cairn.auth.jdbc;").contains("version=\"1.0.0\""));
        assertThat(manifest.getValue("Bundle-Activator")).isNull();
        assertThat(manifest.getValue("Bundle-ClassPath")).isNull();
    }

    @Test
    @DisplayName("HikariCP, the H2 and PostgreSQL drivers, bcrypt and the schema scripts are inside")
    void isSelfContained() {
        for (String entry : List.of("com/zaxxer/hikari/HikariDataSource.class", "org/h2/Driver.class",
                "org/postgresql/Driver.class", "org/postgresql/shaded/com/ongres/scram/client/ScramClient.class",
                "at/favre/lib/crypto/bcrypt/BCrypt.class", "at/favre/lib/bytes/Bytes.class",
                "schema/schema-h2.sql", "schema/schema-postgresql.sql")) {
            assertThat(bundle.getEntry(entry)).as(entry).isNotNull();
        }
    }

    @Test
    @DisplayName("every required import is the API in the consumer range, SLF4J 2, the framework, or the JDK's")
    void requiredImportsResolveInTheDistribution() {
        Set<String> jdk = ModuleLayer.boot().modules().stream()
                .flatMap(m -> m.getDescriptor().exports().stream())
                .filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        List<String> required = clauses(manifest.getValue("Import-Package")).stream()
                .filter(c -> !c.contains("resolution:=optional")).toList();
        assertThat(required).isNotEmpty();
        for (String clause : required) {
            String pkg = clause.split(";", 2)[0];
            assertThat(DISTRIBUTION.contains(pkg) || jdk.contains(pkg) && pkg.startsWith("javax.")
                    || jdk.contains(pkg) && (pkg.startsWith("org.w3c.") || pkg.startsWith("org.xml.")
                    || pkg.equals("org.ietf.jgss")))
                    .as("required import %s is exported by the distribution", clause).isTrue();
        }
        assertThat(required).contains("io.cairn.api.auth;version=\"[1.1,2)\"", "org.slf4j;version=\"[2.0,3)\"");
        assertThat(required).anyMatch(c -> c.equals("javax.sql"));
    }

    @Test
    @DisplayName("the embedded libraries' extras (metrics, servlet, Lucene, JNA...) are optional imports")
    void extrasAreOptional() {
        List<String> imports = clauses(manifest.getValue("Import-Package"));
        for (String pkg : List.of("com.codahale.metrics", "io.micrometer.core.instrument", "javax.servlet",
                "org.apache.lucene.store", "com.sun.jna", "org.osgi.service.jdbc")) {
            assertThat(imports).filteredOn(c -> c.startsWith(pkg + ";") || c.equals(pkg))
                    .allSatisfy(c -> assertThat(c).contains("resolution:=optional"));
        }
    }

    @Test
    @DisplayName("the component: a factory configuration io.cairn.auth.jdbc required, a static greedy optional "
            + "DataSource reference that matches nothing until configured, no service of its own declared")
    void declaresTheFactoryComponent() throws Exception {
        String name = "io.cairn.auth.jdbc.internal.JdbcAuthComponent";
        assertThat(clauses(manifest.getValue("Service-Component"))).containsExactly("OSGI-INF/" + name + ".xml");
        Element component = descriptor("OSGI-INF/" + name + ".xml");
        assertThat(component.getAttribute("configuration-pid")).isEqualTo("io.cairn.auth.jdbc");
        assertThat(component.getAttribute("configuration-policy")).isEqualTo("require");
        assertThat(component.getAttribute("modified")).isEqualTo("modified");
        assertThat(component.getElementsByTagName("service").getLength()).isZero();
        Element reference = (Element) component.getElementsByTagName("reference").item(0);
        assertThat(reference.getAttribute("name")).isEqualTo("dataSource");
        assertThat(reference.getAttribute("interface")).isEqualTo("javax.sql.DataSource");
        assertThat(reference.getAttribute("cardinality")).isEqualTo("0..1");
        assertThat(reference.getAttribute("policy")).isEqualTo("static");
        assertThat(reference.getAttribute("policy-option")).isEqualTo("greedy");
        assertThat(reference.getAttribute("target")).isEqualTo("(!(objectClass=*))");
        assertThat(Class.forName(name).getConstructor().newInstance()).isNotNull();
        assertThat(Authenticator.class.isAssignableFrom(JdbcAuth.class)).isTrue();
        assertThat(bundle.getEntry("OSGI-INF/metatype/io.cairn.auth.jdbc.internal.JdbcAuthConfiguration.xml"))
                .isNotNull();
    }

    private static Element descriptor(String name) throws Exception {
        ZipEntry entry = bundle.getEntry(name);
        assertThat(entry).as("entry %s", name).isNotNull();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (InputStream in = bundle.getInputStream(entry)) {
            Element root = factory.newDocumentBuilder().parse(in).getDocumentElement();
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
