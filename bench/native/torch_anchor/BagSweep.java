import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.T_TensorTensorTensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import static org.bytedeco.pytorch.global.torch.*;

/**
 * embedding_bag forward of one or more builds of libembed4j against libtorch 2.10 CPU (FBGEMM's EmbeddingSpMDM)
 * on the SAME memory in one process, over dims D = 32, 64, 128, 256, bag sizes 1, 20, 100 and the modes
 * sum, mean, max. The table is 512 MiB for every D (V = 2^27 / D rows, so its rows come from DRAM), N = 100k
 * random int64 indices, B = N / bag bags (offsets with the last one included). Each configuration runs every
 * contender in turn, ROUNDS (-Drounds, 5) times REPS (-Dreps, 7) calls, so all of them see the same machine load;
 * reported: the fastest and the median wall time, the fastest CPU time of the calling thread (meaningful with one
 * thread), and libtorch's / ours for each (x<min>/med <median>/cpu <cpu>: above 1, ours is faster).
 * Every build's output is checked against libtorch's before timing (max mode: values exactly; sum and mean within
 * float rounding, as libtorch's mean multiplies by 1/len where ours divides).
 * A benchmark program, not a test:
 *   bench/native/torch_anchor/run.sh bag [threads] [label=libembed4j.so[@isa_level] ...] [filter: e.g. "D128 bag20"]
 * Two builds (or two levels of one build: each label loads its own copy) run side by side in the same process.
 */
public class BagSweep {
    static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    static final int ROUNDS = Integer.getInteger("rounds", 5), REPS = Integer.getInteger("reps", 7);
    static final long N = 100_000, TABLE_FLOATS = 1L << 27;
    static final String[] MODES = {"sum", "mean", "max"};

    interface Op {
        void run() throws Throwable;
    }

    record Lib(String label, MethodHandle bag) {}

    public static void main(String[] args) throws Throwable {
        int threads = Integer.parseInt(args[0]);
        List<Lib> libs = new ArrayList<>();
        String filter = "";
        Arena arena = Arena.ofShared();
        Linker linker = Linker.nativeLinker();
        ValueLayout.OfInt I = ValueLayout.JAVA_INT;
        ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
        java.lang.foreign.AddressLayout A = ValueLayout.ADDRESS;
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 0) {
                filter = args[i];
                continue;
            }
            String path = args[i].substring(eq + 1);
            int at = path.lastIndexOf('@'); // label=lib.so@level: that ISA level (e4j_set_isa_level)
            SymbolLookup e4j = SymbolLookup.libraryLookup(
                    java.nio.file.Path.of(at < 0 ? path : path.substring(0, at)), Arena.ofShared());
            MethodHandle setThreads = linker.downcallHandle(
                    e4j.find("e4j_set_num_threads").orElseThrow(), FunctionDescriptor.of(I, I));
            check((int) setThreads.invokeExact(threads));
            if (at >= 0) {
                MethodHandle setLevel = linker.downcallHandle(
                        e4j.find("e4j_set_isa_level").orElseThrow(), FunctionDescriptor.of(I, I));
                check((int) setLevel.invokeExact(Integer.parseInt(path.substring(at + 1))));
            }
            libs.add(new Lib(args[i].substring(0, eq), linker.downcallHandle(
                    e4j.find("e4j_embedding_bag_forward").orElseThrow(),
                    FunctionDescriptor.of(I, A, A, A, A, I, A, A, I, L, L, L, L, L))));
        }
        set_num_threads(threads);
        System.out.printf("threads=%d (libtorch %d), %d rounds x %d calls, table %d MiB, N=%d%n",
                threads, get_num_threads(), ROUNDS, REPS, TABLE_FLOATS * 4 >> 20, N);
        for (long D : new long[] {32, 64, 128, 256}) {
            long V = TABLE_FLOATS / D;
            Tensor W = randn(V, D);
            Tensor idx = randint(V, new long[] {N});
            MemorySegment w = MemorySegment.ofAddress(W.data_ptr_float().address()).reinterpret(V * D * 4);
            MemorySegment ix = MemorySegment.ofAddress(idx.data_ptr_long().address()).reinterpret(N * 8);
            for (long bag : new long[] {1, 20, 100}) {
                long B = N / bag;
                Tensor off = arange(new org.bytedeco.pytorch.Scalar(0), new org.bytedeco.pytorch.Scalar(N + 1),
                        new org.bytedeco.pytorch.Scalar(bag));
                MemorySegment offs = MemorySegment.ofAddress(off.data_ptr_long().address()).reinterpret((B + 1) * 8);
                MemorySegment out = arena.allocate(B * D * 4, 64), am = arena.allocate(B * D * 8, 64);
                for (int mode = 0; mode < 3; mode++) {
                    String name = String.format("D%d bag%d %s", D, bag, MODES[mode]);
                    if (!name.contains(filter)) {
                        continue;
                    }
                    final int m = mode;
                    Op torchOp = () -> {
                        try (PointerScope s = new PointerScope()) {
                            embedding_bag(W, idx, off, false, m, false, new TensorOptional(), true);
                        }
                    };
                    List<Op> ops = new ArrayList<>();
                    for (Lib lib : libs) {
                        MethodHandle h = lib.bag();
                        MemorySegment argmax = m == 2 ? am : MemorySegment.NULL;
                        ops.add(() -> check((int) h.invokeExact(out, argmax, w, ix, 8, offs,
                                MemorySegment.NULL, m, -1L, N, B, V, D)));
                        ops.getLast().run();
                        compare(name + " " + lib.label(), out, W, idx, off, m, B * D);
                    }
                    ops.add(torchOp);
                    double[][] wall = new double[ops.size()][ROUNDS * REPS], cpu = new double[ops.size()][ROUNDS * REPS];
                    for (int r = 0; r < ROUNDS; r++) {
                        for (int i = 0; i < ops.size(); i++) {
                            for (int k = 0; k < REPS; k++) {
                                long t0 = System.nanoTime(), c0 = MX.getCurrentThreadCpuTime();
                                ops.get(i).run();
                                wall[i][r * REPS + k] = (System.nanoTime() - t0) / 1e6;
                                cpu[i][r * REPS + k] = (MX.getCurrentThreadCpuTime() - c0) / 1e6;
                            }
                        }
                    }
                    int t = ops.size() - 1;
                    StringBuilder sb = new StringBuilder(String.format(
                            "%-18s libtorch %7.3f ms (median %7.3f, cpu %7.3f)", name, min(wall[t]), median(wall[t]),
                            min(cpu[t])));
                    for (int i = 0; i < libs.size(); i++) {
                        sb.append(String.format("  %s %7.3f ms (median %7.3f, cpu %7.3f) x%.2f/med %.2f/cpu %.2f",
                                libs.get(i).label(), min(wall[i]), median(wall[i]), min(cpu[i]),
                                min(wall[t]) / min(wall[i]), median(wall[t]) / median(wall[i]), min(cpu[t]) / min(cpu[i])));
                    }
                    System.out.println(sb);
                }
            }
        }
    }

    static double min(double[] x) {
        return java.util.Arrays.stream(x).min().orElse(Double.NaN);
    }

    static double median(double[] x) {
        double[] y = x.clone();
        java.util.Arrays.sort(y);
        return y[y.length / 2];
    }

    /** ours (out) against libtorch's result for the same call; throws on a mismatch. */
    static void compare(String what, MemorySegment out, Tensor W, Tensor idx, Tensor off, int mode, long n) {
        try (PointerScope s = new PointerScope()) {
            T_TensorTensorTensorTensor_T r = embedding_bag(W, idx, off, false, mode, false, new TensorOptional(), true);
            MemorySegment want = MemorySegment.ofAddress(r.get0().data_ptr_float().address()).reinterpret(n * 4);
            for (long i = 0; i < n; i++) {
                float a = out.getAtIndex(ValueLayout.JAVA_FLOAT, i), b = want.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                boolean ok = mode == 2 ? a == b : Math.abs(a - b) <= 1e-5 * (1 + Math.abs(b));
                if (!ok) throw new IllegalStateException(what + " differs from libtorch at " + i + ": " + a + " vs " + b);
            }
        }
    }

    static void check(int status) {
        if (status != 0) throw new IllegalStateException("libembed4j status " + status);
    }
}
