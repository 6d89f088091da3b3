package org.embed4j.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The C ABI as the Java tests read it: the prototypes, enums and structs of native/include/embed4j.h and
 * embed4j_cuda.h, parsed with the grammar of native/tests/cuda/abi.py (the Python GPU tests' reader of the same
 * headers), so that both languages check their bindings against one text.
 *
 * <p>A prototype is {@code E4J_API <return type> <name>(<parameters>);} outside comments and preprocessor lines;
 * parameters are split at top-level commas, each {@code <type> <name>}; a type is normalised to single spaces with
 * {@code " *"} before each star ({@code "const float *"}); {@code (void)} has no parameters. Only the file's own
 * declarations count (not those of the headers it includes). Pure functions; thread-safe.
 */
public final class CHeader {
    /** One parameter or struct field: its C type ("const int64_t *", "float") and its name. */
    public record Param(String type, String name) {
        public boolean isPointer() {
            return type.contains("*");
        }

        @Override
        public String toString() {
            return type + (isPointer() ? "" : " ") + name;
        }
    }

    /** One {@code E4J_API} prototype. */
    public record Prototype(String name, String returnType, List<Param> params) {
        public int arity() {
            return params.size();
        }
    }

    private static final Pattern PREPROCESSOR = Pattern.compile("(?m)^[ \\t]*#(?:[^\\n]*\\\\\\n)*[^\\n]*");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
    private static final Pattern API = Pattern.compile("\\bE4J_API\\b");
    private static final Pattern TYPE_AND_NAME = Pattern.compile("(.*?[\\s*])(\\w+)");

    private CHeader() {}

    /** The header's code: preprocessor lines dropped, every comment replaced by a space. */
    public static String code(Path header) throws IOException {
        String text = Files.readString(header, StandardCharsets.UTF_8);
        text = PREPROCESSOR.matcher(text).replaceAll("");
        return COMMENT.matcher(text).replaceAll(" ");
    }

    /** Name -> prototype of every E4J_API function of the header, in file order. */
    public static Map<String, Prototype> prototypes(Path header) throws IOException {
        String code = code(header);
        Map<String, Prototype> out = new LinkedHashMap<>();
        Matcher m = API.matcher(code);
        while (m.find()) {
            int open = code.indexOf('(', m.end());
            Param head = typeAndName(code.substring(m.end(), open), header);
            int close = matchingParen(code, open, header);
            List<Param> params = new ArrayList<>();
            for (String p : splitTopLevel(code.substring(open + 1, close))) {
                String decl = normalise(p);
                if (!decl.isEmpty() && !decl.equals("void")) {
                    params.add(typeAndName(decl, header));
                }
            }
            if (out.put(head.name(), new Prototype(head.name(), head.type(), List.copyOf(params))) != null) {
                throw new IllegalArgumentException(header.getFileName() + ": " + head.name() + " declared twice");
            }
        }
        return out;
    }

    /** Enumerator -> value of {@code enum <name> { ... }} (explicit or implicit values). */
    public static Map<String, Integer> enumValues(Path header, String name) throws IOException {
        String body = body(header, "enum", name);
        Map<String, Integer> out = new LinkedHashMap<>();
        int next = 0;
        for (String item : body.split(",")) {
            String it = item.strip();
            if (it.isEmpty()) {
                continue;
            }
            int eq = it.indexOf('=');
            if (eq >= 0) {
                next = Integer.decode(it.substring(eq + 1).strip());
                it = it.substring(0, eq).strip();
            }
            out.put(it, next++);
        }
        return out;
    }

    /** The fields of {@code struct <name> { ... }} in declaration order ({@code float a, b;} gives two). */
    public static List<Param> structFields(Path header, String name) throws IOException {
        List<Param> out = new ArrayList<>();
        for (String decl : body(header, "struct", name).split(";")) {
            String d = normalise(decl);
            if (d.isEmpty()) {
                continue;
            }
            String[] parts = d.split(",");
            Param first = typeAndName(parts[0], header);
            out.add(first);
            for (int i = 1; i < parts.length; i++) {
                out.add(new Param(first.type(), parts[i].strip()));
            }
        }
        return out;
    }

    private static String body(Path header, String keyword, String name) throws IOException {
        Matcher m = Pattern.compile("\\b" + keyword + "\\s+" + Pattern.quote(name) + "\\s*\\{(.*?)\\}", Pattern.DOTALL)
                .matcher(code(header));
        if (!m.find()) {
            throw new IllegalArgumentException(header.getFileName() + ": no " + keyword + " " + name);
        }
        return m.group(1);
    }

    /** "const float *W" -> ("const float *", "W"). */
    private static Param typeAndName(String decl, Path header) {
        Matcher m = TYPE_AND_NAME.matcher(normalise(decl));
        if (!m.matches()) {
            throw new IllegalArgumentException(header.getFileName() + ": cannot read the declaration '" + decl + "'");
        }
        return new Param(m.group(1).replaceAll("\\s*\\*", " *").strip(), m.group(2));
    }

    private static String normalise(String decl) {
        return decl.strip().replaceAll("\\s+", " ");
    }

    private static int matchingParen(String code, int open, Path header) {
        int depth = 0;
        for (int i = open; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException(header.getFileName() + ": unbalanced parentheses after offset " + open);
    }

    /** Splits a parameter list at the commas outside parentheses. */
    private static List<String> splitTopLevel(String list) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(list.substring(start, i));
                start = i + 1;
            }
        }
        out.add(list.substring(start));
        return out;
    }
}
