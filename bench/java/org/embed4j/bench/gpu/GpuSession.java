package org.embed4j.bench.gpu;

import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cudart;

/**
 * What every GPU benchmark opens in its trial setup: device 0 with its stream ({@link GpuDevice}) and our kernels on
 * that stream ({@link E4jCuda}). Closing synchronises through libembed4j_cuda first, so a data error a kernel
 * recorded during the timed launches fails the trial instead of passing unseen. Not thread-safe.
 */
final class GpuSession implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GpuSession.class.getName());

    final GpuDevice device;
    final E4jCuda ours;

    private GpuSession(GpuDevice device, E4jCuda ours) {
        this.device = device;
        this.ours = ours;
    }

    /** Opens both; throws IllegalStateException saying which one cannot run and why. */
    static GpuSession open() {
        GpuDevice device = GpuDevice.open();
        E4jCuda ours;
        try {
            ours = new E4jCuda(device);
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
        LOG.log(
                System.Logger.Level.INFO,
                () -> "GPU benchmarks on " + deviceName() + " (" + GpuDevice.versions() + "); ours: "
                        + ours.describe());
        return new GpuSession(device, ours);
    }

    /** Device 0's name, e.g. "NVIDIA H100 80GB HBM3". */
    static String deviceName() {
        try (cudaDeviceProp p = new cudaDeviceProp()) {
            GpuDevice.check(cudart.cudaGetDeviceProperties(p, 0), "cudaGetDeviceProperties");
            return p.name().getString();
        }
    }

    /** The time of one launch sequence on the stream, added to {@code time} with its work. */
    void timed(GpuTime time, double work, Runnable launch) {
        time.add(device.timeNanos(launch), work);
    }

    @Override
    public void close() {
        try {
            ours.synchronize();
        } finally {
            ours.close();
            device.close();
        }
    }
}
