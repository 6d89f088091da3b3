package org.embed4j.spark;

import java.lang.System.Logger.Level;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * Points embed4j's CUDA backend at the GPU Spark assigned to the running task (GPU scheduling:
 * spark.task.resource.gpu.amount and an executor GPU resource): sets {@code embed4j.cuda.device} to the task's first
 * "gpu" address before the executor opens its first model, unless the property is set already. The backend is
 * chosen once per JVM, so one GPU per executor is the setting this suits; a later task given another address keeps
 * the first, with a log line saying so. Thread-safe.
 */
final class GpuAssignment {
    private static final System.Logger LOG = System.getLogger(GpuAssignment.class.getName());
    static final String DEVICE_PROPERTY = "embed4j.cuda.device";

    private GpuAssignment() {}

    static synchronized void apply() {
        TaskContext ctx = TaskContext.get();
        if (ctx == null) {
            return;
        }
        ResourceInformation gpu = ctx.resourcesJMap().get("gpu");
        if (gpu == null || gpu.addresses().length == 0) {
            return;
        }
        String address = gpu.addresses()[0];
        String current = System.getProperty(DEVICE_PROPERTY);
        if (current == null) {
            System.setProperty(DEVICE_PROPERTY, address);
            LOG.log(Level.INFO, "embed4j: CUDA device " + address + " (assigned by Spark to this executor's task)");
        } else if (!current.equals(address)) {
            LOG.log(
                    Level.WARNING,
                    "embed4j: Spark assigned GPU " + address
                            + " to this task but the executor already uses CUDA device " + current
                            + " (one backend per JVM: give each executor one GPU)");
        }
    }
}
