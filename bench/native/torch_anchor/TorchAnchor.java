import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import static org.bytedeco.pytorch.global.torch.*;

/**
 * libtorch 2.10 CPU (org.bytedeco:pytorch) against libembed4j on the SAME memory, in one process, runs
 * interleaved: a 1M x 128 table, 100k random int64 indices, bags of 20 (the shapes of bench_kernels.c).
 * Reports the fastest wall time and the calling thread's CPU time of 15 runs (the machine is shared).
 * libtorch allocates its outputs on every call (part of its API's cost); libembed4j writes into
 * preallocated buffers. A benchmark program, not a test: bench/native/torch_anchor/run.sh LIB [threads].
 */
public class TorchAnchor {
    interface Op { void run() throws Throwable; }

    static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    static double[] time(Op op) throws Throwable {
        double wall = 1e30, cpu = 1e30;
        for (int r = 0; r < 15; r++) {
            long t0 = System.nanoTime(), c0 = MX.getCurrentThreadCpuTime();
            op.run();
            wall = Math.min(wall, (System.nanoTime() - t0) / 1e6);
            cpu = Math.min(cpu, (MX.getCurrentThreadCpuTime() - c0) / 1e6);
        }
        return new double[] {wall, cpu};
    }

    static void pair(String name, Op ours, Op torch) throws Throwable {
        double[] o = {1e30, 1e30}, t = {1e30, 1e30};
        for (int round = 0; round < 3; round++) { // interleave so both see the same machine load
            double[] a = time(ours), b = time(torch);
            o[0] = Math.min(o[0], a[0]); o[1] = Math.min(o[1], a[1]);
            t[0] = Math.min(t[0], b[0]); t[1] = Math.min(t[1], b[1]);
        }
        System.out.printf("%-28s embed4j %8.3f ms (cpu %8.3f)   libtorch %8.3f ms (cpu %8.3f)   ratio wall %.2fx cpu %.2fx%n",
                name, o[0], o[1], t[0], t[1], t[0] / o[0], t[1] / o[1]);
    }

    public static void main(String[] args) throws Throwable {
        String lib = args[0];
        int threads = Integer.parseInt(args[1]);
        set_num_threads(threads);
        long V = 1_000_000, D = 128, N = 100_000, BAG = 20, B = N / BAG;
        Tensor W = randn(V, D);
        Tensor idx = randint(V, new long[] {N});
        Tensor off = arange(new Scalar(0), new Scalar(N), new Scalar(BAG));
        Tensor dout = randn(N, D);

        Linker linker = Linker.nativeLinker();
        Arena arena = Arena.ofShared();
        SymbolLookup e4j = SymbolLookup.libraryLookup(java.nio.file.Path.of(lib), arena);
        ValueLayout.OfInt I = ValueLayout.JAVA_INT;
        ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
        ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
        java.lang.foreign.AddressLayout A = ValueLayout.ADDRESS;
        MethodHandle threadsH = linker.downcallHandle(e4j.find("e4j_set_num_threads").orElseThrow(), FunctionDescriptor.of(I, I));
        MethodHandle gather = linker.downcallHandle(e4j.find("e4j_gather_forward").orElseThrow(),
                FunctionDescriptor.of(I, A, A, A, I, L, L, L));
        MethodHandle bag = linker.downcallHandle(e4j.find("e4j_embedding_bag_forward").orElseThrow(),
                FunctionDescriptor.of(I, A, A, A, A, I, A, A, I, L, L, L, L, L));
        MethodHandle wsBytes = linker.downcallHandle(e4j.find("e4j_index_sort_workspace_bytes").orElseThrow(), FunctionDescriptor.of(L, L, L));
        MethodHandle sort = linker.downcallHandle(e4j.find("e4j_index_sort").orElseThrow(),
                FunctionDescriptor.of(I, A, A, A, A, A, I, L, L, L, A, L));
        MethodHandle fused = linker.downcallHandle(e4j.find("e4j_embedding_backward_update").orElseThrow(),
                FunctionDescriptor.of(I, A, A, A, A, A, A, A, I, A, L, L, L, L));
        MethodHandle backward = linker.downcallHandle(e4j.find("e4j_embedding_backward").orElseThrow(),
                FunctionDescriptor.of(I, A, A, A, A, A, I, I, L, L, L));
        int unused = (int) threadsH.invokeExact(threads);

        MemorySegment w = MemorySegment.ofAddress(W.data_ptr_float().address()).reinterpret(V * D * 4);
        MemorySegment ix = MemorySegment.ofAddress(idx.data_ptr_long().address()).reinterpret(N * 8);
        MemorySegment go = MemorySegment.ofAddress(dout.data_ptr_float().address()).reinterpret(N * D * 4);
        MemorySegment offs = arena.allocate((B + 1) * 8, 64);
        for (long b = 0; b <= B; b++) offs.setAtIndex(L, b, b * BAG);
        MemorySegment out = arena.allocate(N * D * 4, 64), rows = arena.allocate(N * D * 4, 64);
        MemorySegment uniq = arena.allocate(N * 8, 64), seg = arena.allocate((N + 1) * 8, 64), perm = arena.allocate(N * 8, 64);
        MemorySegment nu = arena.allocate(8, 8);
        long wsb = (long) wsBytes.invokeExact(N, V);
        MemorySegment ws = arena.allocate(wsb, 64);
        MemorySegment opt = arena.allocate(64, 8); // e4j_optim: kind 0 (SGD), step 1, lr 1e-3 at offset 16
        opt.set(L, 8, 1L);
        opt.set(F, 16, 1e-3f);
        System.out.println("threads=" + threads + " (libtorch " + get_num_threads() + ")");

        pair("gather / embedding", () -> check((int) gather.invokeExact(out, w, ix, 8, N, V, D)),
                () -> { try (PointerScope s = new PointerScope()) { embedding(W, idx); } });
        pair("bag sum", () -> check((int) bag.invokeExact(out, MemorySegment.NULL, w, ix, 8, offs, MemorySegment.NULL, 0, -1L, N, B, V, D)),
                () -> { try (PointerScope s = new PointerScope()) { embedding_bag(W, idx, off, false, 0, false, new TensorOptional(), false); } });
        pair("bag mean", () -> check((int) bag.invokeExact(out, MemorySegment.NULL, w, ix, 8, offs, MemorySegment.NULL, 1, -1L, N, B, V, D)),
                () -> { try (PointerScope s = new PointerScope()) { embedding_bag(W, idx, off, false, 1, false, new TensorOptional(), false); } });
        Op sortOp = () -> check((int) sort.invokeExact(uniq, seg, perm, nu, ix, 8, -1L, N, V, ws, wsb));
        Op denseBackward = () -> { try (PointerScope s = new PointerScope()) { embedding_dense_backward(dout, idx, V, -1, false); } };
        pair("sort+backward rows vs dense", () -> {
            sortOp.run();
            check((int) backward.invokeExact(rows, go, uniq, seg, perm, 0, 1, nu.get(L, 0), N, D));
        }, denseBackward);
        pair("sort+fused SGD vs dense bw", () -> {
            sortOp.run();
            check((int) fused.invokeExact(w, MemorySegment.NULL, MemorySegment.NULL, go, uniq, seg, perm, 0, opt, nu.get(L, 0), N, V, D));
        }, denseBackward);
    }

    static void check(int status) {
        if (status != 0) throw new IllegalStateException("libembed4j status " + status);
    }
}
