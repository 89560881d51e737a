package io.cairn.kernel.conformance;

import static io.cairn.kernel.conformance.ConformanceReport.Problem.Kind.LISTS;
import static io.cairn.kernel.conformance.ConformanceReport.Problem.Kind.PLACEMENT;
import static io.cairn.kernel.conformance.ConformanceReport.Problem.Kind.UNKNOWN_ID;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Builds the statement-coverage sections of {@code docs/conformance.md} from the sources, so that the document
 * says what the tests say.
 *
 * <p>Inputs, all read from the working tree (nothing needs to be compiled or run):
 * <ul>
 *   <li>the statement lists {@code kernel/src/test/resources/conformance/normative-<version>.tsv} (id, binds,
 *       paraphrase);</li>
 *   <li>every {@code @Tag("MQTT-...")} on a test method ({@code @Test}, {@code @ParameterizedTest} and the other
 *       JUnit test annotations) in {@code kernel/src/test/java} and {@code client/src/test/java}, found by
 *       scanning the source text;</li>
 *   <li>the version of each tagged source file: {@code conformance/v311/} is 3.1.1, {@code conformance/v5/} is
 *       5.0, a client test class named {@code Client5...} is 5.0, and any other tagged file must be listed in
 *       {@code test-versions.tsv};</li>
 *   <li>the reasons why a Server or Both statement has no test: {@code not-covered-<version>.tsv}.</li>
 * </ul>
 *
 * <p>Kernel tests cover statements; client/ tests are listed only against Client and Both statements, in a
 * table of their own (they test the client library, not the broker). Everything inconsistent (a tag that is
 * not an id of its version, a tagged file of undecided version, a statement with neither test nor reason, a
 * reason for a covered statement) is collected in {@link #problems()}.
 */
final class ConformanceReport {

    static final String REGENERATE = "mvn -B -pl kernel -am test -Dtest=ConformanceReportTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Dconformance.write=true";

    static final String DOC = "docs/conformance.md";
    static final String RESOURCES = "kernel/src/test/resources/conformance/";
    static final String KERNEL_TESTS = "kernel/src/test/java/";
    static final String CLIENT_TESTS = "client/src/test/java/";

    /** The reasons a Server or Both statement may have no test, in the order the summary lists them. */
    static final List<String> CATEGORIES = List.of("feature missing", "not applicable", "not testable",
            "not yet tested");

    enum Version {
        V311("3.1.1", KERNEL_TESTS + "io/cairn/kernel/conformance/v311/"),
        V5("5.0", KERNEL_TESTS + "io/cairn/kernel/conformance/v5/");

        final String label;
        final String packageDir;

        Version(String label, String packageDir) {
            this.label = label;
            this.packageDir = packageDir;
        }

        static Version of(String label) {
            for (Version v : values()) {
                if (v.label.equals(label)) {
                    return v;
                }
            }
            return null;
        }

        String beginMarker() {
            return "<!-- BEGIN GENERATED: " + label + " -->";
        }

        String endMarker() {
            return "<!-- END GENERATED: " + label + " -->";
        }
    }

    record Statement(String id, String binds, String summary) {
        boolean serverSide() {
            return !binds.equals("Client");
        }
    }

    record Reason(String id, String category, String text) {
    }

    /** Something in the inputs that would make the document wrong or incomplete. */
    record Problem(Kind kind, String message) {
        enum Kind {
            /** A test carries an MQTT- tag that is not an id of its version's list. */
            UNKNOWN_ID,
            /** A tagged file of undecided version, a stale mapping line, or a tag on something not a test. */
            PLACEMENT,
            /** A statement list or not-covered file is malformed, a statement lacks both test and reason. */
            LISTS
        }
    }

    /** One test method: its source file (relative to the repository root), class and method name. */
    record TestRef(String file, String className, String method, int line) {
        String label() {
            return className + "#" + method;
        }

        boolean inClient() {
            return file.startsWith(CLIENT_TESTS);
        }
    }

    /** An annotated declaration found by {@link #scan}: a class, a method, or anything else (a field). */
    record Declaration(Kind kind, String className, String name, int line, List<String> tags, boolean test) {
        enum Kind { CLASS, METHOD, OTHER }

        List<String> mqttTags() {
            return tags.stream().filter(t -> t.startsWith("MQTT-")).toList();
        }
    }

    private final Path root;
    private final Map<Version, List<Statement>> statements = new LinkedHashMap<>();
    private final Map<Version, Map<String, Statement>> byId = new LinkedHashMap<>();
    private final Map<Version, Map<String, Reason>> reasons = new LinkedHashMap<>();
    /** Per version: statement id to the tests tagged with it, kernel tests and client tests apart. */
    private final Map<Version, Map<String, List<TestRef>>> kernelTests = new LinkedHashMap<>();
    private final Map<Version, Map<String, List<TestRef>>> clientTests = new LinkedHashMap<>();
    private final List<Problem> problems = new ArrayList<>();

    private ConformanceReport(Path root) {
        this.root = root;
    }

    /** Reads everything under {@code root}, the repository's working tree. */
    static ConformanceReport load(Path root) {
        ConformanceReport r = new ConformanceReport(root);
        for (Version v : Version.values()) {
            r.loadStatements(v);
            r.kernelTests.put(v, new TreeMap<>());
            r.clientTests.put(v, new TreeMap<>());
        }
        r.scanTests();
        for (Version v : Version.values()) {
            r.loadReasons(v);
        }
        return r;
    }

    /** The repository root: the nearest directory at or above {@code start} that holds {@value #DOC}. */
    static Path findRoot(Path start) {
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(DOC)) && Files.isDirectory(p.resolve(KERNEL_TESTS))) {
                return p;
            }
        }
        throw new IllegalStateException("no " + DOC + " at or above " + start.toAbsolutePath());
    }

    List<Problem> problems() {
        return Collections.unmodifiableList(problems);
    }

    private void problem(Problem.Kind kind, String message) {
        problems.add(new Problem(kind, message));
    }

    List<String> problems(Problem.Kind kind) {
        return problems.stream().filter(p -> p.kind() == kind).map(Problem::message).toList();
    }

    List<Statement> statements(Version v) {
        return statements.get(v);
    }

    List<TestRef> kernelTests(Version v, String id) {
        return kernelTests.get(v).getOrDefault(id, List.of());
    }

    List<TestRef> clientTests(Version v, String id) {
        return clientTests.get(v).getOrDefault(id, List.of());
    }

    // ---------------------------------------------------------------------------------------------- inputs

    private List<String[]> readTsv(String name) {
        Path file = root.resolve(RESOURCES + name);
        List<String[]> rows = new ArrayList<>();
        for (String line : lines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            rows.add(line.split("\t", -1));
        }
        return rows;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void loadStatements(Version v) {
        String name = "normative-" + v.label + ".tsv";
        List<Statement> list = new ArrayList<>();
        Map<String, Statement> ids = new LinkedHashMap<>();
        for (String[] row : readTsv(name)) {
            if (row[0].equals("id")) {
                continue; // header
            }
            if (row.length != 3 || !Set.of("Server", "Client", "Both").contains(row[1])) {
                problem(LISTS, RESOURCES + name + ": not an id/binds/summary row: " + String.join("\\t", row));
                continue;
            }
            Statement s = new Statement(row[0], row[1], row[2]);
            if (ids.put(s.id(), s) != null) {
                problem(LISTS, RESOURCES + name + ": " + s.id() + " is listed twice");
            }
            list.add(s);
        }
        statements.put(v, list);
        byId.put(v, ids);
    }

    /**
     * The not-covered file of {@code v} without the lines that say only "not yet tested" for a statement that has
     * a test now (the regenerate command writes it back). Lines with another category stay: their reason was
     * written by someone and a person should read it before it goes.
     */
    String withoutStaleNotYetTested(Version v) {
        StringBuilder b = new StringBuilder();
        for (String line : lines(root.resolve(RESOURCES + "not-covered-" + v.label + ".tsv"))) {
            String[] row = line.split("\t", -1);
            boolean stale = !line.startsWith("#") && row.length >= 2 && row[1].equals("not yet tested")
                    && (row.length == 2 || row[2].isBlank()) && !kernelTests(v, row[0]).isEmpty();
            if (!stale) {
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }

    private void loadReasons(Version v) {
        String name = "not-covered-" + v.label + ".tsv";
        Map<String, Reason> map = new LinkedHashMap<>();
        for (String[] row : readTsv(name)) {
            String where = RESOURCES + name + ": ";
            if (row.length < 2 || row.length > 3) {
                problem(LISTS, where + "not an id/category/reason row: " + String.join("\\t", row));
                continue;
            }
            Reason r = new Reason(row[0], row[1], row.length == 3 ? row[2].trim() : "");
            Statement s = byId.get(v).get(r.id());
            if (s == null) {
                problem(LISTS, where + r.id() + " is not an id of the " + v.label + " list");
            } else if (!s.serverSide()) {
                problem(LISTS, where + r.id() + " binds the Client only; this file is for Server and Both statements");
            } else if (!CATEGORIES.contains(r.category())) {
                problem(LISTS, where + r.id() + ": category '" + r.category() + "' is not one of " + CATEGORIES);
            } else if (!kernelTests(v, r.id()).isEmpty()) {
                problem(LISTS, where + r.id() + " has a test now (" + kernelTests(v, r.id()).get(0).label()
                        + "): remove its line" + (r.category().equals("not yet tested")
                                ? " (the regenerate command removes 'not yet tested' lines itself)" : ""));
            } else if (map.put(r.id(), r) != null) {
                problem(LISTS, where + r.id() + " is listed twice");
            }
        }
        reasons.put(v, map);
        for (Statement s : statements.get(v)) {
            if (s.serverSide() && kernelTests(v, s.id()).isEmpty() && !map.containsKey(s.id())) {
                problem(LISTS, s.id() + " (" + v.label + ", " + s.binds() + ") has no test and no line in "
                        + RESOURCES + name + ": tag a test with it or give the reason");
            }
        }
    }

    /** Source files whose version is not decided by their package or class name: file to version. */
    private Map<String, Version> loadVersionMapping() {
        Map<String, Version> mapping = new LinkedHashMap<>();
        for (String[] row : readTsv("test-versions.tsv")) {
            Version v = row.length == 2 ? Version.of(row[1].trim()) : null;
            if (v == null) {
                problem(PLACEMENT, RESOURCES + "test-versions.tsv: not a file/version row (version 3.1.1 or 5.0): "
                        + String.join("\\t", row));
                continue;
            }
            mapping.put(row[0].trim(), v);
        }
        return mapping;
    }

    /** The version of a tagged source file, or null if nothing decides it. */
    static Version versionOf(String file, Map<String, Version> mapping) {
        for (Version v : Version.values()) {
            if (file.startsWith(v.packageDir)) {
                return v;
            }
        }
        String simpleName = file.substring(file.lastIndexOf('/') + 1);
        if (file.startsWith(CLIENT_TESTS) && simpleName.startsWith("Client5")) {
            return Version.V5;
        }
        return mapping.get(file);
    }

    private void scanTests() {
        Map<String, Version> mapping = loadVersionMapping();
        Set<String> tagged = new LinkedHashSet<>();
        for (String tree : List.of(KERNEL_TESTS, CLIENT_TESTS)) {
            for (Path file : javaFiles(root.resolve(tree))) {
                String rel = root.relativize(file).toString().replace('\\', '/');
                String source = String.join("\n", lines(file));
                if (!source.contains("MQTT-")) {
                    continue;
                }
                List<Declaration> found = scan(source, simpleName(rel));
                if (found.stream().allMatch(d -> d.mqttTags().isEmpty())) {
                    continue;
                }
                tagged.add(rel);
                Version v = versionOf(rel, mapping);
                if (v == null) {
                    problem(PLACEMENT, rel + " carries MQTT- tags but nothing decides their version: move it to "
                            + "conformance/v311 or conformance/v5, or add it to " + RESOURCES + "test-versions.tsv");
                    continue;
                }
                record(v, rel, found);
            }
        }
        for (String file : mapping.keySet()) {
            if (!tagged.contains(file)) {
                problem(PLACEMENT, RESOURCES + "test-versions.tsv names " + file
                        + ", which does not exist or carries no MQTT- tag: remove its line");
            }
        }
        for (Version v : Version.values()) {
            Comparator<TestRef> order = Comparator.comparing(TestRef::className).thenComparing(TestRef::file)
                    .thenComparingInt(TestRef::line);
            kernelTests.get(v).values().forEach(l -> l.sort(order));
            clientTests.get(v).values().forEach(l -> l.sort(order));
        }
    }

    private void record(Version v, String file, List<Declaration> found) {
        Map<String, Statement> ids = byId.get(v);
        for (Declaration d : found) {
            List<String> tags = d.mqttTags();
            if (tags.isEmpty()) {
                continue;
            }
            String where = file + ":" + d.line() + " " + d.className()
                    + (d.kind() == Declaration.Kind.METHOD ? "#" + d.name() : "");
            if (d.kind() != Declaration.Kind.METHOD) {
                problem(PLACEMENT, where + ": MQTT- tags belong on the test methods, not on a "
                        + (d.kind() == Declaration.Kind.CLASS ? "class" : "field") + " " + tags);
                continue;
            }
            if (!d.test()) {
                problem(PLACEMENT, where + " carries " + tags + " but is not a test method");
                continue;
            }
            TestRef ref = new TestRef(file, d.className(), d.name(), d.line());
            Map<String, List<TestRef>> target = ref.inClient() ? clientTests.get(v) : kernelTests.get(v);
            for (String tag : new LinkedHashSet<>(tags)) {
                if (!ids.containsKey(tag)) {
                    problem(UNKNOWN_ID, where + " is tagged " + tag + ", which is not an id of the MQTT " + v.label
                            + " list (" + RESOURCES + "normative-" + v.label + ".tsv)");
                    continue;
                }
                List<TestRef> refs = target.computeIfAbsent(tag, k -> new ArrayList<>());
                if (refs.stream().noneMatch(r -> r.label().equals(ref.label()) && r.file().equals(ref.file()))) {
                    refs.add(ref);
                }
            }
        }
    }

    private static List<Path> javaFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String simpleName(String file) {
        String name = file.substring(file.lastIndexOf('/') + 1);
        return name.substring(0, name.length() - ".java".length());
    }

    // --------------------------------------------------------------------------------------------- scanner

    private static final Set<String> TEST_ANNOTATIONS = Set.of("Test", "ParameterizedTest", "RepeatedTest",
            "TestFactory", "TestTemplate");
    private static final Pattern STRING_LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern TYPE_KEYWORD = Pattern.compile("\\b(?:class|interface|enum|record)\\s+(\\w+)");
    private static final Pattern LAST_IDENTIFIER = Pattern.compile("(\\w+)\\s*$");

    /**
     * Finds every annotated declaration of a Java source by plain text scanning: comments are ignored, string
     * literals are skipped, {@code @Tag}/{@code @Tags} values and JUnit test annotations are collected and
     * attached to the declaration that follows them. Nested classes are named {@code Outer.Inner}.
     */
    static List<Declaration> scan(String source, String topLevelClass) {
        String code = stripComments(source);
        List<Declaration> out = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        boolean test = false;
        boolean annotated = false;
        int annotationLine = 0;
        // class nesting: names and the brace depth at which each body opened
        List<String> classNames = new ArrayList<>();
        List<Integer> classDepths = new ArrayList<>();
        String pendingClass = null;
        int depth = 0;
        int i = 0;
        int n = code.length();
        while (i < n) {
            char c = code.charAt(i);
            if (c == '"' || c == '\'') {
                i = skipLiteral(code, i);
            } else if (c == '{') {
                depth++;
                if (pendingClass != null) {
                    classNames.add(pendingClass);
                    classDepths.add(depth);
                    pendingClass = null;
                }
                i++;
            } else if (c == '}') {
                if (!classDepths.isEmpty() && classDepths.get(classDepths.size() - 1) == depth) {
                    classNames.remove(classNames.size() - 1);
                    classDepths.remove(classDepths.size() - 1);
                }
                depth--;
                i++;
            } else if (c == '@' && i + 1 < n && Character.isJavaIdentifierStart(code.charAt(i + 1))) {
                int start = i + 1;
                int end = start;
                while (end < n && (Character.isJavaIdentifierPart(code.charAt(end)) || code.charAt(end) == '.')) {
                    end++;
                }
                String name = code.substring(start, end);
                name = name.substring(name.lastIndexOf('.') + 1);
                if (name.equals("interface")) { // an annotation type declaration, not an annotation
                    i = end;
                    continue;
                }
                int j = skipSpace(code, end);
                String args = "";
                if (j < n && code.charAt(j) == '(') {
                    int close = matchParen(code, j);
                    args = code.substring(j + 1, close);
                    j = close + 1;
                }
                if (!annotated) {
                    annotationLine = lineOf(code, i);
                }
                annotated = true;
                if (name.equals("Tag") || name.equals("Tags")) {
                    Matcher m = STRING_LITERAL.matcher(args);
                    while (m.find()) {
                        tags.add(m.group(1));
                    }
                }
                test |= TEST_ANNOTATIONS.contains(name);
                i = j;
            } else if (Character.isJavaIdentifierStart(c)) {
                // a declaration or statement: read it up to the first ( { ; or =
                int j = i;
                while (j < n && "({;=".indexOf(code.charAt(j)) < 0 && code.charAt(j) != '@') {
                    if (code.charAt(j) == '"' || code.charAt(j) == '\'') {
                        break;
                    }
                    j++;
                }
                String head = code.substring(i, j);
                Matcher type = TYPE_KEYWORD.matcher(head);
                boolean isType = type.find() && !head.contains(".class");
                if (isType) {
                    pendingClass = type.group(1);
                }
                if (annotated) {
                    String owner = String.join(".", classNames);
                    if (owner.isEmpty()) {
                        owner = topLevelClass;
                    }
                    if (isType) {
                        String name = owner.equals(topLevelClass) && classNames.isEmpty()
                                ? type.group(1) : owner + "." + type.group(1);
                        out.add(new Declaration(Declaration.Kind.CLASS, name, type.group(1), annotationLine,
                                List.copyOf(tags), test));
                    } else if (j < n && code.charAt(j) == '(') {
                        Matcher id = LAST_IDENTIFIER.matcher(head);
                        String method = id.find() ? id.group(1) : head.trim();
                        out.add(new Declaration(Declaration.Kind.METHOD, owner, method, annotationLine,
                                List.copyOf(tags), test));
                    } else {
                        out.add(new Declaration(Declaration.Kind.OTHER, owner, head.trim(), annotationLine,
                                List.copyOf(tags), test));
                    }
                    tags.clear();
                    test = false;
                    annotated = false;
                }
                if (j < n && code.charAt(j) == '(' && !isType) {
                    j = matchParen(code, j) + 1; // skip a parameter list, with any annotations in it
                }
                i = Math.max(j, i + 1);
            } else {
                i++;
            }
        }
        return out;
    }

    /** The source with comments replaced by spaces (line breaks kept, so line numbers stay right). */
    static String stripComments(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') {
                    b.append(' ');
                    i++;
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                for (; i < end; i++) {
                    b.append(s.charAt(i) == '\n' ? '\n' : ' ');
                }
            } else if (c == '"' || c == '\'') {
                int end = skipLiteral(s, i);
                b.append(s, i, end);
                i = end;
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }

    /** The index just after the string, text block or char literal starting at {@code i}. */
    private static int skipLiteral(String s, int i) {
        char q = s.charAt(i);
        if (q == '"' && s.startsWith("\"\"\"", i)) {
            int end = s.indexOf("\"\"\"", i + 3);
            return end < 0 ? s.length() : end + 3;
        }
        int j = i + 1;
        while (j < s.length() && s.charAt(j) != q && s.charAt(j) != '\n') {
            j += s.charAt(j) == '\\' ? 2 : 1;
        }
        return Math.min(j + 1, s.length());
    }

    private static int matchParen(String s, int open) {
        int level = 0;
        int i = open;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                i = skipLiteral(s, i);
                continue;
            }
            if (c == '(') {
                level++;
            } else if (c == ')' && --level == 0) {
                return i;
            }
            i++;
        }
        return s.length() - 1;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int lineOf(String s, int index) {
        int line = 1;
        for (int k = 0; k < index; k++) {
            if (s.charAt(k) == '\n') {
                line++;
            }
        }
        return line;
    }

    // ------------------------------------------------------------------------------------------- rendering

    /** The text between the begin and end markers of {@code v}, each line ending in a line break. */
    String render(Version v) {
        List<Statement> all = statements.get(v);
        List<Statement> serverSide = all.stream().filter(Statement::serverSide).toList();
        List<Statement> client = all.stream().filter(s -> !s.serverSide()).toList();
        List<Statement> covered = serverSide.stream().filter(s -> !kernelTests(v, s.id()).isEmpty()).toList();
        List<Statement> uncovered = serverSide.stream().filter(s -> kernelTests(v, s.id()).isEmpty()).toList();
        List<Statement> clientFromServer = client.stream().filter(s -> !kernelTests(v, s.id()).isEmpty()).toList();
        List<Statement> clientInLibrary = client.stream().filter(s -> !clientTests(v, s.id()).isEmpty()).toList();
        List<Statement> bindingClientInLibrary = all.stream()
                .filter(s -> !s.binds().equals("Server") && !clientTests(v, s.id()).isEmpty()).toList();
        long bothInLibrary = bindingClientInLibrary.size() - clientInLibrary.size();
        long server = all.stream().filter(s -> s.binds().equals("Server")).count();
        long both = all.stream().filter(s -> s.binds().equals("Both")).count();

        StringBuilder b = new StringBuilder();
        b.append("<!-- Generated by ConformanceReportTest from the test sources and ").append(RESOURCES)
                .append("; do not edit by hand. -->\n\n");
        b.append("The MQTT ").append(v.label).append(" list has ").append(all.size()).append(" statements: ")
                .append(server).append(" Server, ").append(both).append(" Both, ").append(client.size())
                .append(" Client.\n\n");
        b.append("- **Server and Both:** ").append(serverSide.size()).append(" statements: ")
                .append(covered.size()).append(" with at least one kernel test, ").append(uncovered.size())
                .append(" without").append(reasonCounts(v, uncovered)).append(".\n");
        b.append("- **Client:** ").append(client.size())
                .append(" statements, the client library's (`client/`) to meet: ").append(clientFromServer.size())
                .append(" also exercised from the server's side (the broker is fed the violation), ")
                .append(clientInLibrary.size()).append(" with a tagged client test, ")
                .append(client.stream().filter(s -> kernelTests(v, s.id()).isEmpty()
                        && clientTests(v, s.id()).isEmpty()).count())
                .append(" with neither.\n");
        b.append("- **Both, on the client's side:** ").append(bothInLibrary).append(" of the ").append(both)
                .append(" Both statements have a tagged client test.\n\n");

        b.append("### Server and Both statements (").append(v.label).append(")\n\n");
        b.append("| Id | Binds | Statement (paraphrase; the standard has the exact wording) | Tests |\n");
        b.append("|----|-------|-------------------------------------------------------------|-------|\n");
        for (Statement s : serverSide) {
            List<TestRef> tests = kernelTests(v, s.id());
            b.append("| ").append(s.id()).append(" | ").append(s.binds()).append(" | ").append(cell(s.summary()))
                    .append(" | ").append(tests.isEmpty() ? "**not covered**, see below" : cells(tests))
                    .append(" |\n");
        }

        b.append("\n### Client statements the server is tested against (").append(v.label).append(")\n\n");
        if (clientFromServer.isEmpty()) {
            b.append("No kernel test is tagged with a Client statement of ").append(v.label).append(".\n");
        } else {
            b.append("The broker is fed the client's violation and must refuse it.\n\n");
            b.append("| Id | Statement | Tests |\n");
            b.append("|----|-----------|-------|\n");
            for (Statement s : clientFromServer) {
                b.append("| ").append(s.id()).append(" | ").append(cell(s.summary())).append(" | ")
                        .append(cells(kernelTests(v, s.id()))).append(" |\n");
            }
        }

        b.append("\n### Client and Both statements covered by the client library (").append(v.label).append(")\n\n");
        if (bindingClientInLibrary.isEmpty()) {
            b.append("No test in `client/src/test/java` is tagged with a Client or Both statement of ").append(v.label)
                    .append(" yet; the ").append(client.size())
                    .append(" Client statements belong to the client library (`client/`).\n");
        } else {
            b.append("Tests of the client library (`client/src/test/java`) against the statements that bind a "
                    + "client. They test the client, not the broker, and count for nothing in the tables above.\n\n");
            b.append("| Id | Binds | Statement | Tests |\n");
            b.append("|----|-------|-----------|-------|\n");
            for (Statement s : bindingClientInLibrary) {
                b.append("| ").append(s.id()).append(" | ").append(s.binds()).append(" | ").append(cell(s.summary()))
                        .append(" | ").append(cells(clientTests(v, s.id()))).append(" |\n");
            }
        }
        Set<String> clientOnServerRows = new LinkedHashSet<>();
        all.stream().filter(s -> s.binds().equals("Server"))
                .forEach(s -> clientTests(v, s.id()).forEach(t -> clientOnServerRows.add(t.file() + "#" + t.method())));
        if (!clientOnServerRows.isEmpty()) {
            b.append("\n").append(clientOnServerRows.size()).append(" client/ test")
                    .append(clientOnServerRows.size() == 1 ? " is" : "s are")
                    .append(" also tagged with Server statements of ").append(v.label)
                    .append("; they are checked against the list but not listed, as a Server statement binds the "
                            + "broker, not the client.\n");
        }

        b.append("\n### Not covered (").append(v.label).append(")\n\n");
        if (uncovered.isEmpty()) {
            b.append("Every Server and Both statement has at least one test.\n");
        } else {
            for (Statement s : uncovered) {
                Reason r = reasons.get(v).get(s.id());
                b.append("- **").append(s.id()).append("** (").append(s.binds()).append("; ")
                        .append(r == null ? "no reason given" : r.category()).append("): ")
                        .append(sentence(s.summary()));
                if (r != null && !r.text().isEmpty()) {
                    b.append(' ').append(r.text());
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    private String reasonCounts(Version v, List<Statement> uncovered) {
        if (uncovered.isEmpty()) {
            return "";
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        CATEGORIES.forEach(c -> counts.put(c, 0));
        counts.put("no reason given", 0);
        for (Statement s : uncovered) {
            Reason r = reasons.get(v).get(s.id());
            counts.merge(r == null ? "no reason given" : r.category(), 1, Integer::sum);
        }
        return counts.entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", ", " (", ")"));
    }

    private static String cells(List<TestRef> tests) {
        return tests.stream().map(t -> "`" + t.label() + "`").collect(Collectors.joining("<br>"));
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    private static String sentence(String text) {
        return text.endsWith(".") ? text : text + ".";
    }

    // ------------------------------------------------------------------------------------------ the document

    /**
     * {@code doc} with the content between each version's markers replaced by {@link #render}; everything
     * outside the markers is kept as it is.
     *
     * @throws IllegalArgumentException if a version's markers are missing, repeated or out of order
     */
    String updateDoc(String doc) {
        String text = doc.replace("\r\n", "\n");
        for (Version v : Version.values()) {
            int[] region = region(text, v);
            text = text.substring(0, region[0]) + render(v) + text.substring(region[1]);
        }
        return text;
    }

    /** The generated text of {@code v} as it stands in {@code doc}. */
    static String currentRegion(String doc, Version v) {
        String text = doc.replace("\r\n", "\n");
        int[] region = region(text, v);
        return text.substring(region[0], region[1]);
    }

    /**
     * Start and end offsets of the content between the markers of {@code v}: after the line that is exactly the
     * begin marker, up to the line that is exactly the end marker (a marker quoted inside prose does not count).
     */
    private static int[] region(String text, Version v) {
        List<Integer> begins = markerLines(text, v.beginMarker());
        List<Integer> ends = markerLines(text, v.endMarker());
        if (begins.size() != 1 || ends.size() != 1 || ends.get(0) < begins.get(0)) {
            throw new IllegalArgumentException(DOC + " needs exactly one line '" + v.beginMarker()
                    + "' followed by one line '" + v.endMarker() + "'");
        }
        return new int[] {begins.get(0) + v.beginMarker().length() + 1, ends.get(0)};
    }

    /** The offsets of the lines that consist of {@code marker} alone. */
    private static List<Integer> markerLines(String text, String marker) {
        List<Integer> found = new ArrayList<>();
        for (int at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + 1)) {
            int after = at + marker.length();
            if ((at == 0 || text.charAt(at - 1) == '\n') && (after == text.length() || text.charAt(after) == '\n')) {
                found.add(at);
            }
        }
        return found;
    }
}
