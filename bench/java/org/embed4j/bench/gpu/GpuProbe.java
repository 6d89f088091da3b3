package org.embed4j.bench.gpu;

import java.util.Locale;

/**
 * What bench/suites/gpu.sh asks before it runs JMH: can the GPU suite run here? Prints one line per part on stdout,
 * {@code ok <part>: <what>} or {@code unavailable <part>: <why>}, for the parts cudart (bytedeco's CUDA runtime and
 * device 0), embed4j_cuda (our library, from the core jar) and cublas (the GEMM anchor).
 *
 * <p>Exit status 0 when cudart and embed4j_cuda work (cuBLAS missing only costs the GEMM anchor), 3 when not.
 */
public final class GpuProbe {
    private GpuProbe() {}

    public static void main(String[] args) {
        boolean ok;
        try (GpuSession gpu = GpuSession.open()) {
            line("ok", "cudart", GpuSession.deviceName() + ", " + GpuDevice.versions());
            line("ok", "embed4j_cuda", gpu.ours.describe());
            try (CublasGemm gemm = new CublasGemm(gpu.device)) {
                line("ok", "cublas", "cuBLAS " + gemm.version());
            } catch (RuntimeException e) {
                line("unavailable", "cublas", e.getMessage());
            }
            ok = true;
        } catch (RuntimeException e) {
            String part = e.getMessage() != null && e.getMessage().contains("embed4j_cuda") ? "embed4j_cuda" : "cudart";
            line("unavailable", part, e.getMessage());
            ok = false;
        }
        System.exit(ok ? 0 : 3);
    }

    private static void line(String status, String part, String what) {
        String text = String.valueOf(what)
                .replaceAll("[^ -~]", " ")
                .replaceAll(" +", " ")
                .trim();
        System.out.println(String.format(Locale.ROOT, "%s %s: %s", status, part, text));
    }
}
