package org.embed4j.internal.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.embed4j.testing.CHeader;
import org.embed4j.testing.CHeader.Param;
import org.embed4j.testing.CHeader.Prototype;
import org.embed4j.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The headers are the one truth of the C ABI: every {@link Binding} of {@link CpuKernels} and {@link CudaKernels} is
 * compared with the prototype of the same name in native/include/embed4j.h or embed4j_cuda.h (arity, return type,
 * each argument's type mapped to its Java carrier: pointers -> MemorySegment (ADDRESS), int32_t and e4j_status -> int,
 * int64_t and uint64_t -> long, float, double), and every function a header declares must be bound or listed as
 * unbound with a reason ({@link Abi#unbound}). The e4j_optim struct and the e4j_status codes are checked the same way.
 * The checker is run on an edited copy of a header too, so that a changed argument is shown to fail it.
 */
class AbiBindingTest {
    /** The C scalar types of the ABI and their Java carriers (abi.py's SCALARS, for ctypes). */
    private static final Map<String, Class<?>> SCALARS = Map.of(
            "int32_t", int.class,
            "e4j_status", int.class,
            "int64_t", long.class,
            "uint64_t", long.class,
            "float", float.class,
            "double", double.class);

    private static Path header(Abi abi) {
        return TestFiles.repoRoot().resolve("native/include").resolve(abi.header());
    }

    @Test
    void cpuBindingsMatchEmbed4jH() throws IOException {
        assertNoDifferences(CpuKernels.ABI, header(CpuKernels.ABI));
    }

    @Test
    void cudaBindingsMatchEmbed4jCudaH() throws IOException {
        assertNoDifferences(CudaKernels.ABI, header(CudaKernels.ABI));
    }

    @Test
    void aChangedArgumentAnUnboundFunctionAndAStaleListingAreReported(@TempDir Path dir) throws IOException {
        Path real = header(CpuKernels.ABI);
        String text = Files.readString(real);
        String gatherSizes = "int32_t idx_type, int64_t N, int64_t V, int64_t D);";
        assertEquals(text.indexOf(gatherSizes), text.lastIndexOf(gatherSizes), "one declaration ends this way");
        assertTrue(text.contains(gatherSizes), "e4j_gather_forward's declaration ends this way");
        String changed = text.replace(gatherSizes, "int32_t idx_type, int32_t N, int64_t V, int64_t D);");
        changed = changed.replace(
                "E4J_API int32_t e4j_num_threads(void);",
                "E4J_API int32_t e4j_num_threads(void);\nE4J_API e4j_status e4j_new_kernel(float *out /* (N) */, int64_t N);");
        Path edited = Files.writeString(dir.resolve("embed4j.h"), changed);
        assertEquals(
                List.of(
                        "e4j_gather_forward argument 5 (int32_t N): the header passes int, the binding long",
                        "e4j_new_kernel: declared in embed4j.h but neither bound nor listed as unbound"),
                differences(CpuKernels.ABI, edited));

        Abi stale = new Abi("embed4j_cuda", "e4j_cuda_", "embed4j_cuda.h");
        stale.unbound("e4j_no_such_function", "gone from the header");
        stale.value("e4j_cuda_device_count", ValueLayout.JAVA_INT);
        List<String> found = differences(stale, header(CudaKernels.ABI));
        assertTrue(
                found.contains("e4j_no_such_function: listed as unbound but not declared in embed4j_cuda.h"),
                found.toString());
        assertTrue(
                found.contains("e4j_cuda_device_count: 1 argument in the header, 0 in the binding"), found.toString());
    }

    @Test
    void everyKernelBindingHasAJavaMethodOfTheSameName() {
        List<String> missing = new ArrayList<>();
        missing.addAll(methodsMissing(CpuKernels.ABI, CpuKernels.class));
        missing.addAll(methodsMissing(CudaKernels.ABI, CudaKernels.class));
        assertEquals(List.of(), missing);
    }

    @Test
    void optimStructMatchesTheHeader() throws IOException {
        List<String> header = CHeader.structFields(header(CpuKernels.ABI), "e4j_optim").stream()
                .map(f -> f.name() + ":" + carrier(f.type()).getName())
                .toList();
        List<String> java = OptimStruct.LAYOUT.memberLayouts().stream()
                .filter(l -> l instanceof ValueLayout)
                .map(l -> l.name().orElseThrow() + ":"
                        + ((ValueLayout) l).carrier().getName())
                .toList();
        assertEquals(header, java);
    }

    @Test
    void statusCodesMatchTheHeader() throws IOException, IllegalAccessException {
        Map<String, Integer> java = new LinkedHashMap<>();
        for (Field f : NativeStatus.class.getFields()) {
            if (f.getType() == int.class && Modifier.isStatic(f.getModifiers())) {
                java.put("E4J_" + f.getName(), f.getInt(null));
            }
        }
        assertEquals(CHeader.enumValues(header(CpuKernels.ABI), "e4j_status"), java);
    }

    // ------------------------------------------------------------------ the checker

    private static void assertNoDifferences(Abi abi, Path header) throws IOException {
        List<String> found = differences(abi, header);
        assertTrue(found.isEmpty(), abi + " differs from " + header + ":\n  " + String.join("\n  ", found));
    }

    /** Every way the bindings of {@code abi} and the prototypes of {@code header} disagree, one line each. */
    static List<String> differences(Abi abi, Path header) throws IOException {
        Map<String, Prototype> declared = CHeader.prototypes(header);
        String file = header.getFileName().toString();
        List<String> out = new ArrayList<>();
        Set<String> bound = abi.bindings().stream().map(Binding::name).collect(Collectors.toSet());
        for (Binding b : abi.bindings()) {
            Prototype p = declared.get(b.name());
            if (p == null) {
                out.add(b.name() + ": bound but not declared in " + file);
                continue;
            }
            FunctionDescriptor d = b.descriptor();
            Class<?> javaReturn = d.returnLayout().map(AbiBindingTest::carrier).orElse(void.class);
            if (carrier(p.returnType()) != javaReturn) {
                out.add(b.name() + " returns " + p.returnType() + " in the header, " + javaReturn + " in the binding");
            }
            List<MemoryLayout> args = d.argumentLayouts();
            if (p.arity() != args.size()) {
                out.add(b.name() + ": " + plural(p.arity()) + " in the header, " + args.size() + " in the binding");
                continue;
            }
            for (int i = 0; i < args.size(); i++) {
                Param param = p.params().get(i);
                Class<?> c = carrier(param.type());
                Class<?> j = carrier(args.get(i));
                if (c != j) {
                    out.add(b.name() + " argument " + (i + 1) + " (" + param + "): the header passes "
                            + c.getSimpleName() + ", the binding " + j.getSimpleName());
                }
            }
        }
        for (String name : declared.keySet()) {
            if (!bound.contains(name) && !abi.unbound().containsKey(name)) {
                out.add(name + ": declared in " + file + " but neither bound nor listed as unbound");
            }
        }
        for (String name : abi.unbound().keySet()) {
            if (!declared.containsKey(name)) {
                out.add(name + ": listed as unbound but not declared in " + file);
            } else if (bound.contains(name)) {
                out.add(name + ": listed as unbound but bound");
            }
        }
        return out;
    }

    private static String plural(int n) {
        return n + (n == 1 ? " argument" : " arguments");
    }

    /** The Java carrier of a C type of the ABI; a type without one fails (add it here and to abi.py's SCALARS). */
    static Class<?> carrier(String ctype) {
        if (ctype.contains("*")) {
            return MemorySegment.class;
        }
        String base = ctype.replace("const ", "").strip();
        if (base.equals("void")) {
            return void.class;
        }
        Class<?> c = SCALARS.get(base);
        if (c == null) {
            throw new AssertionError("no Java carrier for the C type '" + ctype + "'");
        }
        return c;
    }

    private static Class<?> carrier(MemoryLayout layout) {
        if (!(layout instanceof ValueLayout v)) {
            throw new AssertionError("a binding passes " + layout + " by value; the ABI passes scalars and pointers");
        }
        return v.carrier();
    }

    /** Bindings (the runtime functions aside) without a public method named after them in {@code type}. */
    private static List<String> methodsMissing(Abi abi, Class<?> type) {
        Set<String> methods =
                Arrays.stream(type.getMethods()).map(Method::getName).collect(Collectors.toSet());
        List<Binding> runtime = List.of(abi.version, abi.abiVersion, abi.lastError);
        return abi.bindings().stream()
                .filter(b -> !runtime.contains(b))
                .map(b -> javaName(b.name()))
                .filter(n -> !methods.contains(n))
                .map(n -> type.getSimpleName() + "." + n)
                .toList();
    }

    /** e4j_gather_forward -> gatherForward, e4j_cuda_malloc -> cudaMalloc. */
    static String javaName(String cName) {
        String[] parts = cName.substring("e4j_".length()).split("_");
        StringBuilder sb = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            sb.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return sb.toString();
    }
}
