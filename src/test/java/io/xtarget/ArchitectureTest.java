package io.xtarget;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/architecture.md, checked on the sources of src/main/java (plain
 * text, no library): which packages each package may use, the SCSI core free of any fabric's
 * vocabulary, and no sockets below the fabric. A new package, or a new edge between packages,
 * goes into {@link #ALLOWED} and into the table of docs/architecture.md, which this test compares.
 */
class ArchitectureTest {
    static final Path SOURCES = Path.of("src/main/java");
    static final Path DOC = Path.of("docs/architecture.md");
    static final String ROOT = "io.xtarget.";

    /**
     * Every package under io.xtarget and the other io.xtarget packages it may use (its own is
     * always allowed). Data flows one way: iscsi -> scsi -> scsi.spc / scsi.sbc / scsi.copy ->
     * backend (the command sets are called through the core's opcode table, so at compile time
     * they use the core, never the other way round); config, server and cli sit on top; the
     * initiator shares only the wire format with the target side. Same rows as the "Package
     * rules" table of docs/architecture.md.
     */
    static final Map<String, Set<String>> ALLOWED = table(
            "backend", "",
            "backend.rbd", "backend",
            "scsi", "backend",
            "scsi.spc", "scsi backend",
            "scsi.sbc", "scsi backend",
            "scsi.copy", "scsi backend",
            "iscsi.pdu", "",
            "iscsi", "iscsi.pdu scsi",
            "vhost", "scsi",
            "initiator", "iscsi.pdu",
            "config", "iscsi scsi backend backend.rbd",
            "server", "config iscsi vhost scsi scsi.spc scsi.sbc scsi.copy backend",
            "cli", "server config initiator iscsi scsi backend backend.rbd");

    /** The fabric-neutral core: the SCSI core and its command sets. */
    static final Set<String> CORE = Set.of("scsi", "scsi.spc", "scsi.sbc", "scsi.copy");

    /** Words of one fabric (iSCSI) that the core's identifiers and strings never contain. */
    static final Pattern FABRIC_WORDS = Pattern.compile("(?i)iqn|isid|chap|iscsi");

    /** Networking the core never touches: the fabric owns the sockets. */
    static final Pattern SOCKETS = Pattern.compile(
            "\\bjava\\.net\\b|\\bjava\\.nio\\.channels\\.\\*|\\b\\w*Socket\\w*\\b|\\bSelect(or|ionKey)\\b");

    static final Pattern REFERENCE = Pattern.compile("\\bio\\.xtarget((?:\\.[a-z_][a-z0-9_]*)+)\\.(?:[A-Z*])");

    static List<Source> sources;

    static Map<String, Set<String>> table(String... rows) {
        Map<String, Set<String>> t = new LinkedHashMap<>();
        for (int i = 0; i < rows.length; i += 2) {
            t.put(rows[i], rows[i + 1].isEmpty() ? Set.of() : Set.of(rows[i + 1].split(" ")));
        }
        return t;
    }

    @BeforeAll
    static void read() throws IOException {
        sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                sources.add(Source.parse(SOURCES.relativize(f).toString(), Files.readString(f)));
            }
        }
        assertThat(sources).as("sources under " + SOURCES.toAbsolutePath()).hasSizeGreaterThan(100);
    }

    @Test
    void everyPackageHasARow() {
        Set<String> packages = new TreeSet<>();
        sources.forEach(s -> packages.add(s.pkg()));
        assertThat(ALLOWED.keySet()).as("packages of src/main/java without a row in ALLOWED")
                .containsAll(packages);
    }

    @Test
    void packagesUseOnlyWhatTheTableAllows() {
        List<String> violations = new ArrayList<>();
        for (Source s : sources) {
            Set<String> allowed = ALLOWED.getOrDefault(s.pkg(), Set.of());
            for (String used : s.references()) {
                if (!used.equals(s.pkg()) && !allowed.contains(used)) {
                    violations.add(s.file() + " (" + s.pkg() + ") uses " + used);
                }
            }
        }
        assertThat(violations).as("edges not in the package rules").isEmpty();
    }

    @Test
    void theCoreSpeaksNoFabricsLanguage() {
        List<String> violations = new ArrayList<>();
        for (Source s : sources) {
            if (CORE.contains(s.pkg())) {
                find(FABRIC_WORDS, s, s.codeAndStrings(), violations);
            }
        }
        assertThat(violations).as("iSCSI words in identifiers or strings of the core (comments may name them)")
                .isEmpty();
    }

    @Test
    void theCoreTouchesNoSockets() {
        List<String> violations = new ArrayList<>();
        for (Source s : sources) {
            if (CORE.contains(s.pkg())) {
                find(SOCKETS, s, s.code(), violations);
            }
        }
        assertThat(violations).as("networking in the core").isEmpty();
    }

    @Test
    void theTableIsTheOneInTheArchitectureDocument() throws IOException {
        assertThat(documentedRules(Files.readString(DOC))).isEqualTo(ALLOWED);
    }

    /** The rows of the "Package rules" table: | `pkg` | `a`, `b` | (or — for none). */
    static Map<String, Set<String>> documentedRules(String doc) {
        int at = doc.indexOf("\n## Package rules");
        assertThat(at).as("a \"## Package rules\" section in " + DOC).isPositive();
        Map<String, Set<String>> rules = new LinkedHashMap<>();
        Pattern row = Pattern.compile("^\\|\\s*`([a-z.]+)`\\s*\\|([^|]*)\\|", Pattern.MULTILINE);
        String section = doc.substring(at + 1);
        int next = section.indexOf("\n## ");
        Matcher m = row.matcher(next < 0 ? section : section.substring(0, next));
        while (m.find()) {
            Set<String> uses = new TreeSet<>();
            Matcher u = Pattern.compile("`([a-z.]+)`").matcher(m.group(2));
            while (u.find()) {
                uses.add(u.group(1));
            }
            rules.put(m.group(1), Set.copyOf(uses));
        }
        return rules;
    }

    /** The 1-based line of an offset (the scanner keeps every line break). */
    static int line(String text, int offset) {
        int line = 1;
        for (int k = 0; k < offset; k++) {
            if (text.charAt(k) == '\n') {
                line++;
            }
        }
        return line;
    }

    static void find(Pattern p, Source s, String text, List<String> out) {
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.add(s.file() + ":" + line(text, m.start()) + ": " + m.group());
        }
    }

    // ---- the scanner, and tests of it on made-up sources

    @Test
    void theScannerSeesImportsStaticImportsAndQualifiedNamesButNeverCommentsOrStrings() {
        Source s = Source.parse("io/xtarget/scsi/X.java", """
                package io.xtarget.scsi;

                import io.xtarget.backend.Store;
                import static io.xtarget.iscsi.pdu.Pdu.EMPTY;
                import io.xtarget.config.*;
                // import io.xtarget.cli.Main;
                /* io.xtarget.server.XtargetServer */
                /** {@link io.xtarget.initiator.IscsiSession} */
                class X {
                    String s = "io.xtarget.cli.Main \\" // not a comment";
                    char c = '"';
                    String t = \"""
                        io.xtarget.cli.Main "iqn"
                        \""";
                    Object o = new io.xtarget.scsi.copy.CopyEngine(); // io.xtarget.cli.Main
                    int isidCount;
                }
                """);
        assertThat(s.pkg()).isEqualTo("scsi");
        assertThat(s.references()).containsExactlyInAnyOrder("backend", "iscsi.pdu", "config", "scsi.copy");
        assertThat(s.codeAndStrings()).contains("\"iqn\"").doesNotContain("cli.Main;").contains("isidCount");
        assertThat(s.code()).doesNotContain("iqn").doesNotContain("cli");
        List<String> words = new ArrayList<>();
        find(FABRIC_WORDS, s, s.codeAndStrings(), words);
        assertThat(words).containsExactly("io/xtarget/scsi/X.java:4: iscsi", "io/xtarget/scsi/X.java:13: iqn",
                "io/xtarget/scsi/X.java:16: isid");
    }

    @Test
    void theDocumentTableParses() {
        String doc = "# x\n\n## Package rules\n| package | may use |\n|---|---|\n| `backend` | — |\n"
                + "| `scsi` | `backend` |\n| `cli` | `server`, `config` |\n\n## Next\n| `not` | `this` |\n";
        assertThat(documentedRules(doc)).isEqualTo(table("backend", "", "scsi", "backend", "cli", "server config"));
    }

    /**
     * One source file.
     *
     * @param file path below src/main/java
     * @param pkg its package below io.xtarget ("" for io.xtarget itself)
     * @param code the text without comments and with every string and char literal emptied
     * @param codeAndStrings the text without comments
     */
    record Source(String file, String pkg, String code, String codeAndStrings) {
        static Source parse(String file, String text) {
            StringBuilder code = new StringBuilder(text.length());
            StringBuilder withStrings = new StringBuilder(text.length());
            int i = 0;
            int n = text.length();
            while (i < n) {
                char c = text.charAt(i);
                if (text.startsWith("//", i)) {
                    int end = text.indexOf('\n', i);
                    i = end < 0 ? n : end;
                } else if (text.startsWith("/*", i)) {
                    int end = text.indexOf("*/", i + 2);
                    end = end < 0 ? n : end + 2;
                    keepLineBreaks(text, i, end, code, withStrings);
                    i = end;
                } else if (text.startsWith("\"\"\"", i)) {
                    int end = text.indexOf("\"\"\"", i + 3);
                    while (end > 0 && text.charAt(end - 1) == '\\') {
                        end = text.indexOf("\"\"\"", end + 1);
                    }
                    end = end < 0 ? n : end + 3;
                    code.append("\"\"");
                    keepLineBreaks(text, i, end, code, null);
                    withStrings.append(text, i, end);
                    i = end;
                } else if (c == '"' || c == '\'') {
                    int end = i + 1;
                    while (end < n && text.charAt(end) != c && text.charAt(end) != '\n') {
                        end += text.charAt(end) == '\\' ? 2 : 1;
                    }
                    end = Math.min(n, end + 1);
                    code.append(c).append(c);
                    withStrings.append(text, i, end);
                    i = end;
                } else {
                    code.append(c);
                    withStrings.append(c);
                    i++;
                }
            }
            Matcher p = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE).matcher(code);
            String pkg = p.find() ? p.group(1) : "";
            pkg = pkg.equals("io.xtarget") ? "" : pkg.startsWith(ROOT) ? pkg.substring(ROOT.length()) : pkg;
            return new Source(file, pkg, code.toString(), withStrings.toString());
        }

        private static void keepLineBreaks(String text, int from, int to, StringBuilder a, StringBuilder b) {
            for (int k = from; k < to; k++) {
                if (text.charAt(k) == '\n') {
                    a.append('\n');
                    if (b != null) {
                        b.append('\n');
                    }
                }
            }
        }

        /** The io.xtarget packages (below io.xtarget) this file names, by import or qualified name. */
        Set<String> references() {
            Set<String> out = new TreeSet<>();
            Matcher m = REFERENCE.matcher(code);
            while (m.find()) {
                out.add(m.group(1).substring(1));
            }
            return out;
        }
    }
}
