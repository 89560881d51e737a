package io.cairn.kernel.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.kernel.conformance.ConformanceReport.Declaration;
import io.cairn.kernel.conformance.ConformanceReport.Problem;
import io.cairn.kernel.conformance.ConformanceReport.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps docs/conformance.md true: its generated sections must be what {@link ConformanceReport} makes of the test
 * sources and statement lists now, and every MQTT- tag must be an id of its version's list. Reads files only.
 *
 * <p>To rewrite the generated sections after changing tests or the lists in
 * kernel/src/test/resources/conformance/, run {@value ConformanceReport#REGENERATE}.
 */
class ConformanceReportTest {

    private static final Path ROOT = ConformanceReport.findRoot(Path.of(""));

    @Test
    @DisplayName("docs/conformance.md's generated sections are what the test sources and statement lists give now")
    void documentIsCurrent() throws IOException {
        ConformanceReport report = ConformanceReport.load(ROOT);
        Path docFile = ROOT.resolve(ConformanceReport.DOC);
        String doc = Files.readString(docFile, StandardCharsets.UTF_8);

        if (Boolean.getBoolean("conformance.write")) {
            for (Version v : Version.values()) {
                Path reasons = ROOT.resolve(ConformanceReport.RESOURCES + "not-covered-" + v.label + ".tsv");
                writeIfChanged(reasons, Files.readString(reasons, StandardCharsets.UTF_8),
                        report.withoutStaleNotYetTested(v));
            }
            writeIfChanged(docFile, doc, ConformanceReport.load(ROOT).updateDoc(doc));
            return;
        }
        String expected = report.updateDoc(doc);
        for (Version v : Version.values()) {
            String want = ConformanceReport.currentRegion(expected, v);
            String have = ConformanceReport.currentRegion(doc, v);
            if (!want.equals(have)) {
                fail(ConformanceReport.DOC + ": the generated MQTT " + v.label + " section is out of date. "
                        + firstDifference(have, want) + "\nRegenerate it with\n    " + ConformanceReport.REGENERATE
                        + "\nand commit the result.");
            }
        }
    }

    @Test
    @DisplayName("every MQTT- tag on a test is an id of the statement list of that test's version")
    void everyTagIsAnIdOfItsVersion() {
        List<String> unknown = ConformanceReport.load(ROOT).problems(Problem.Kind.UNKNOWN_ID);

        assertThat(unknown).as("tags that are no statement id (a typo, or a 3.1.1 id in a 5.0 test or back)")
                .isEmpty();
    }

    @Test
    @DisplayName("every tagged test has a decided version and every MQTT- tag sits on a test method")
    void everyTaggedTestIsPlaced() {
        List<String> misplaced = ConformanceReport.load(ROOT).problems(Problem.Kind.PLACEMENT);

        assertThat(misplaced).as("tagged sources the report cannot place").isEmpty();
    }

    @Test
    @DisplayName("every Server and Both statement without a test has a reason, and no covered one has")
    void everyGapHasAReason() {
        List<String> lists = ConformanceReport.load(ROOT).problems(Problem.Kind.LISTS);

        assertThat(lists).as("statement lists and not-covered files").isEmpty();
    }

    // ---------------------------------------------------------------- the generator on made-up sources

    @Test
    @DisplayName("the scanner attaches tags to the next declaration whatever the annotation order, and ignores "
            + "comments and strings")
    void scannerFindsTaggedTests() {
        String source = """
                package x;

                /** Example: @Tag("MQTT-9.9.9-9") in a comment does not count. */
                @ExtendWith(Foo.class)
                class SampleTest {

                    @RegisterExtension
                    final Ext ext = Ext.of("@Tag(\\"MQTT-8.8.8-8\\")");

                    @Test
                    @Tag("MQTT-1.1.1-1")
                    @DisplayName("[MQTT-1.1.1-1] a ( paren and a } brace in a name "
                            + "spanning lines")
                    void plain() {
                        String s = "@Tag(\\"MQTT-7.7.7-7\\")";
                        char c = '}';
                    }

                    @ParameterizedTest(name = "{0}")
                    @ValueSource(ints = {1, 2})
                    @Tag("MQTT-2.2.2-2")
                    @org.junit.jupiter.api.Tag("MQTT-3.3.3-3")
                    void parameterized(int i) {
                    }

                    // @Tag("MQTT-6.6.6-6")
                    // @Test
                    void commentedOut() {
                    }

                    @Tag("MQTT-4.4.4-4")
                    private void helper(@TempDir Path dir) {
                    }

                    @Nested
                    class Inner {
                        @Tags({@Tag("MQTT-5.5.5-5"), @Tag("slow")})
                        @RepeatedTest(2)
                        void repeated() {
                        }
                    }
                }
                """;

        List<Declaration> found = ConformanceReport.scan(source, "SampleTest");

        assertThat(found).filteredOn(d -> !d.mqttTags().isEmpty())
                .extracting(d -> d.kind() + " " + d.className() + "#" + d.name() + " " + d.mqttTags() + " "
                        + d.test())
                .containsExactly(
                        "METHOD SampleTest#plain [MQTT-1.1.1-1] true",
                        "METHOD SampleTest#parameterized [MQTT-2.2.2-2, MQTT-3.3.3-3] true",
                        "METHOD SampleTest#helper [MQTT-4.4.4-4] false",
                        "METHOD SampleTest.Inner#repeated [MQTT-5.5.5-5] true");
        assertThat(found).filteredOn(d -> d.name().equals("plain")).singleElement()
                .extracting(Declaration::line).isEqualTo(10);
    }

    @Test
    @DisplayName("on a made-up tree: a mistyped tag, an unplaced file and a statement without reason are reported, "
            + "and only the marked regions of the document change")
    void reportsProblemsAndKeepsProse(@TempDir Path tree) throws IOException {
        Path resources = Files.createDirectories(tree.resolve(ConformanceReport.RESOURCES));
        for (Version v : Version.values()) {
            Files.writeString(resources.resolve("normative-" + v.label + ".tsv"), """
                    id\tbinds\tsummary
                    MQTT-1.0.0-1\tServer\tThe server does one thing
                    MQTT-1.0.0-2\tBoth\tBoth do another | with a pipe
                    MQTT-1.0.0-3\tClient\tThe client does a third
                    MQTT-1.0.0-4\tServer\tThe server does a fourth
                    """);
        }
        Files.writeString(resources.resolve("not-covered-3.1.1.tsv"),
                "# comment\nMQTT-1.0.0-4\tfeature missing\tNo such feature yet.\n");
        Files.writeString(resources.resolve("not-covered-5.0.tsv"), "MQTT-1.0.0-4\tnot yet tested\n");
        Files.writeString(resources.resolve("test-versions.tsv"),
                "kernel/src/test/java/io/cairn/kernel/other/MappedTest.java\t3.1.1\n");
        write(tree, Version.V311.packageDir + "OneTest.java", """
                class OneTest {
                    @Test @Tag("MQTT-1.0.0-1") void one() {}
                    @Test @Tag("MQTT-1.0.0-3") void clientRule() {}
                }
                """);
        write(tree, "kernel/src/test/java/io/cairn/kernel/other/MappedTest.java", """
                class MappedTest {
                    @Test @Tag("MQTT-1.0.0-2") void both() {}
                }
                """);
        write(tree, "kernel/src/test/java/io/cairn/kernel/other/UnplacedTest.java", """
                class UnplacedTest {
                    @Test @Tag("MQTT-1.0.0-1") void somewhere() {}
                }
                """);
        write(tree, Version.V5.packageDir + "Two5Test.java", """
                class Two5Test {
                    @Test @Tag("MQTT-1.0.0-4") void four() {}
                    @Test @Tag("MQTT-1.0.0-44") void typo() {}
                }
                """);
        write(tree, ConformanceReport.CLIENT_TESTS + "io/cairn/client/Client5RulesTest.java", """
                class Client5RulesTest {
                    @Test @Tag("MQTT-1.0.0-3") void clientRule() {}
                    @Test @Tag("MQTT-1.0.0-1") void notListedForTheClient() {}
                    @Test @Tag("MQTT-1.0.0-2") void bothRule() {}
                }
                """);
        String prose = "# Title\n\nHand-written prose that quotes `<!-- BEGIN GENERATED: 3.1.1 -->`.\n\n";
        String doc = prose + "<!-- BEGIN GENERATED: 3.1.1 -->\nold\n<!-- END GENERATED: 3.1.1 -->\n\nMiddle prose.\n\n"
                + "<!-- BEGIN GENERATED: 5.0 -->\n<!-- END GENERATED: 5.0 -->\n\nClosing prose.\n";
        write(tree, ConformanceReport.DOC, doc);

        ConformanceReport report = ConformanceReport.load(tree);

        assertThat(report.problems(Problem.Kind.UNKNOWN_ID)).singleElement().asString()
                .contains("Two5Test#typo", "MQTT-1.0.0-44", "5.0");
        assertThat(report.problems(Problem.Kind.PLACEMENT)).singleElement().asString()
                .contains("UnplacedTest.java", "test-versions.tsv");
        assertThat(report.problems(Problem.Kind.LISTS)).containsExactlyInAnyOrder(
                ConformanceReport.RESOURCES + "not-covered-5.0.tsv: MQTT-1.0.0-4 has a test now (Two5Test#four): "
                        + "remove its line (the regenerate command removes 'not yet tested' lines itself)",
                "MQTT-1.0.0-1 (5.0, Server) has no test and no line in " + ConformanceReport.RESOURCES
                        + "not-covered-5.0.tsv: tag a test with it or give the reason",
                "MQTT-1.0.0-2 (5.0, Both) has no test and no line in " + ConformanceReport.RESOURCES
                        + "not-covered-5.0.tsv: tag a test with it or give the reason");

        assertThat(report.withoutStaleNotYetTested(Version.V5)).as("a 'not yet tested' line of a covered statement")
                .isEmpty();
        assertThat(report.withoutStaleNotYetTested(Version.V311))
                .isEqualTo("# comment\nMQTT-1.0.0-4\tfeature missing\tNo such feature yet.\n");

        String updated = report.updateDoc(doc);
        assertThat(updated).startsWith(prose + "<!-- BEGIN GENERATED: 3.1.1 -->\n")
                .contains("<!-- END GENERATED: 3.1.1 -->\n\nMiddle prose.\n\n<!-- BEGIN GENERATED: 5.0 -->\n")
                .endsWith("<!-- END GENERATED: 5.0 -->\n\nClosing prose.\n")
                .doesNotContain("\nold\n");
        String v311 = ConformanceReport.currentRegion(updated, Version.V311);
        assertThat(v311)
                .contains("- **Server and Both:** 3 statements: 2 with at least one kernel test, 1 without "
                        + "(1 feature missing).")
                .contains("- **Client:** 1 statements, the client library's (`client/`) to meet: 1 also exercised "
                        + "from the server's side (the broker is fed the violation), 0 with a tagged client test, 0 "
                        + "with neither.")
                .contains("| MQTT-1.0.0-1 | Server | The server does one thing | `OneTest#one` |")
                .contains("| MQTT-1.0.0-2 | Both | Both do another \\| with a pipe | `MappedTest#both` |")
                .contains("| MQTT-1.0.0-3 | The client does a third | `OneTest#clientRule` |")
                .contains("- **MQTT-1.0.0-4** (Server; feature missing): The server does a fourth. No such feature "
                        + "yet.")
                .doesNotContain("UnplacedTest");
        String v5 = ConformanceReport.currentRegion(updated, Version.V5);
        assertThat(v5)
                .contains("| MQTT-1.0.0-4 | Server | The server does a fourth | `Two5Test#four` |")
                .contains("| MQTT-1.0.0-3 | Client | The client does a third | `Client5RulesTest#clientRule` |")
                .contains("| MQTT-1.0.0-2 | Both | Both do another \\| with a pipe | `Client5RulesTest#bothRule` |")
                .contains("- **Both, on the client's side:** 1 of the 1 Both statements have a tagged client test.")
                .doesNotContain("notListedForTheClient")
                .contains("\n1 client/ test is also tagged with Server statements of 5.0; ")
                .contains("| MQTT-1.0.0-1 | Server | The server does one thing | **not covered**, see below |")
                .contains("- **MQTT-1.0.0-1** (Server; no reason given): The server does one thing.");
        assertThat(report.updateDoc(updated)).as("regenerating is stable").isEqualTo(updated);
    }

    @Test
    @DisplayName("a document without the markers of a version is refused, not silently left alone")
    void missingMarkersAreRefused() {
        assertThatThrownBy(() -> ConformanceReport.currentRegion("<!-- BEGIN GENERATED: 3.1.1 -->\nx\n", Version.V311))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("<!-- END GENERATED: 3.1.1 -->");
    }

    private static void writeIfChanged(Path file, String before, String after) throws IOException {
        if (!after.equals(before.replace("\r\n", "\n"))) {
            Files.writeString(file, after, StandardCharsets.UTF_8);
        }
    }

    private static void write(Path tree, String file, String text) throws IOException {
        Path p = tree.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    private static String firstDifference(String have, String want) {
        String[] a = have.split("\n", -1);
        String[] b = want.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "<end of section>";
            String y = i < b.length ? b[i] : "<end of section>";
            if (!x.equals(y)) {
                return "Line " + (i + 1) + " of the section is\n    " + x + "\nbut should be\n    " + y;
            }
        }
        return "Only the line endings differ.";
    }
}
