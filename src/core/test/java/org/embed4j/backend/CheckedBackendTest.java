package org.embed4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * CheckedBackend in front of a probe that only records calls: a rejected call must never reach the
 * implementation (that is what keeps bad shapes away from native code), and well-formed calls, including the
 * less common shapes the nn layer passes (a batch of sequences, a scalar loss), must go through unchanged.
 */
class CheckedBackendTest {
    private static final long V = 6;
    private static final long D = 4;
    private final List<String> calls = new ArrayList<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private final Backend checked = new CheckedBackend(probe(Device.CPU));

    private Backend probe(Device device) {
        return (Backend) Proxy.newProxyInstance(
                Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> "probe";
                    case "device" -> device;
                    case "sortIndices" ->
                        new SortedIndices(
                                onDevice(DType.I64, device, 2),
                                onDevice(DType.I64, device, 3),
                                onDevice(DType.I64, device, 3),
                                2,
                                3);
                    default -> {
                        calls.add(method.getName());
                        yield null;
                    }
                });
    }

    private Tensor f(DType type, long... shape) {
        Tensor t = Tensor.allocate(type, shape);
        tensors.add(t);
        return t;
    }

    @AfterEach
    void free() {
        tensors.forEach(Tensor::close);
    }

    private void rejected(Class<? extends Throwable> type, Executable call, String fragment) {
        Throwable e = assertThrows(type, call);
        assertTrue(
                String.valueOf(e.getMessage()).contains(fragment),
                "message \"" + e.getMessage() + "\" lacks " + fragment);
        assertEquals(List.of(), calls, "a rejected call reached the implementation");
    }

    @Test
    void badShapesNeverReachTheImplementation() {
        Tensor w = f(DType.F32, V, D);
        Tensor idx = f(DType.I64, 3);
        rejected(IllegalArgumentException.class, () -> checked.gather(f(DType.F32, 3, D + 1), w, idx), "[3, 4]");
        rejected(IllegalArgumentException.class, () -> checked.gather(f(DType.F32, 3, D), f(DType.F32, V), idx), "2-D");
        rejected(
                IllegalArgumentException.class,
                () -> checked.embeddingBagForward(
                        f(DType.F32, 2, D), null, w, idx, f(DType.I64, 4), null, BagMode.SUM, -1),
                "[3, 4]");
        rejected(
                IllegalArgumentException.class,
                () -> checked.embeddingBagForward(
                        f(DType.F32, 2, D), null, w, idx, f(DType.I64, 3), f(DType.F32, 3), BagMode.MEAN, -1),
                "SUM");
        rejected(
                IllegalArgumentException.class,
                () -> checked.embeddingBagForward(
                        f(DType.F32, 2, D), null, w, idx, f(DType.I64, 3), null, BagMode.SUM, V),
                "paddingIdx");
        rejected(
                IllegalArgumentException.class,
                () -> checked.softmaxXent(
                        f(DType.F32, 1),
                        null,
                        f(DType.F32, 3, 5),
                        f(DType.I64, 3),
                        f(DType.F32, 4),
                        -100,
                        0f,
                        Reduction.MEAN),
                "weight");
        rejected(
                IllegalArgumentException.class,
                () -> checked.softmaxXent(
                        f(DType.F32, 1), null, f(DType.F32, 3, 5), f(DType.I64, 3), null, -100, 0f, Reduction.NONE),
                "loss");
        rejected(
                IllegalArgumentException.class,
                () -> checked.softmaxXent(
                        f(DType.F32, 1), null, f(DType.F32, 3, 5), f(DType.I64, 3), null, -100, 1.5f, Reduction.MEAN),
                "1.5");
        rejected(
                IllegalArgumentException.class,
                () -> checked.gemm(true, false, 1f, f(DType.F32, 2, 3), f(DType.F32, 3, 4), 0f, f(DType.F32, 3, 4)),
                "inner");
        rejected(
                NullPointerException.class,
                () -> checked.denseUpdate(
                        f(DType.F32, 5),
                        null,
                        null,
                        f(DType.F32, 5),
                        new OptimStep(OptimKind.SGD, 1, 0.1f, 0.9f, 0, 0, 0, 0, 0, false, false, false)),
                "state1");
        rejected(
                IllegalArgumentException.class,
                () -> checked.denseUpdate(
                        f(DType.F32, 5),
                        f(DType.F32, 5),
                        null,
                        f(DType.F32, 5),
                        new OptimStep(OptimKind.SGD, 1, 0.1f, 0.9f, 0.5f, 0, 0, 0, 0, true, false, false)),
                "Nesterov");
        rejected(
                IllegalArgumentException.class,
                () -> checked.topk(f(DType.I64, 2, 3), f(DType.F32, 2, 3), w, null, f(DType.F32, 2, D + 1), null),
                "dimension");
        try (SortedIndices s = checked.sortIndices(idx, V, -1)) {
            rejected(
                    IllegalArgumentException.class,
                    () -> checked.embeddingBackward(w, f(DType.F32, 4, D), s, false),
                    "[3, 4]");
            rejected(
                    IllegalArgumentException.class,
                    () -> checked.embeddingBackwardRows(f(DType.F32, 3, D), f(DType.F32, 3, D), s, false),
                    "dRows");
            rejected(
                    IllegalArgumentException.class,
                    () -> checked.embeddingBackwardUpdate(
                            w,
                            f(DType.F32, V),
                            null,
                            f(DType.F32, 3, D),
                            s,
                            false,
                            new OptimStep(
                                    OptimKind.SPARSE_ADAM, 1, 0.1f, 0, 0, 0, 0.9f, 0.999f, 1e-8f, false, false, false)),
                    "state1");
        }
    }

    @Test
    void aHandMadeSortOnADeviceIsRefusedAndOneMadeHereIsNot() {
        Backend onGpu = new CheckedBackend(probe(Device.cuda(0)));
        Tensor w = onDevice(DType.F32, Device.cuda(0), V, D);
        Tensor dOut = onDevice(DType.F32, Device.cuda(0), 3, D);
        SortedIndices hand = new SortedIndices(
                onDevice(DType.I64, Device.cuda(0), 2),
                onDevice(DType.I64, Device.cuda(0), 3),
                onDevice(DType.I64, Device.cuda(0), 3),
                2,
                3);
        rejected(
                IllegalArgumentException.class,
                () -> onGpu.embeddingBackward(w, dOut, hand, false),
                "not made by this backend's sortIndices");
        SortedIndices made = onGpu.sortIndices(onDevice(DType.I64, Device.cuda(0), 3), V, -1);
        onGpu.embeddingBackward(w, dOut, made, false);
        assertEquals(List.of("embeddingBackward"), calls);
    }

    /** A tensor that claims to live on {@code device}; the probe never dereferences it. */
    private Tensor onDevice(DType type, Device device, long... shape) {
        Tensor host = f(type, shape);
        return Tensor.wrap(host.segment(), type, device, null, shape);
    }

    @Test
    void wrongDeviceIsRejected() {
        Backend onGpu = new CheckedBackend(probe(Device.cuda(0)));
        rejected(IllegalArgumentException.class, () -> onGpu.fill(f(DType.F32, 3), 1f), "cuda:0");
    }

    @Test
    void wellFormedCallsGoThrough() {
        Tensor w = f(DType.F32, V, D);
        checked.gather(f(DType.F32, 2, 3, D), w, f(DType.I32, 2, 3)); // a batch of sequences
        checked.gather(f(DType.F32, D), w, f(DType.I64)); // one index, shape ()
        checked.embeddingBagForward(
                f(DType.F32, 2, D), f(DType.I64, 2, D), w, f(DType.I32, 5), f(DType.I64, 3), null, BagMode.MAX, 0);
        checked.softmaxXent(
                f(DType.F32), null, f(DType.F32, 3, 5), f(DType.I64, 3), null, -100, 0f, Reduction.MEAN); // scalar loss
        checked.gemm(true, true, 1f, f(DType.F32, 3, 2), f(DType.F32, 4, 3), 0f, f(DType.F32, 2, 4));
        checked.denseUpdate(
                f(DType.F32, 2, 5),
                f(DType.F32, 2, 5),
                f(DType.F32, 2, 5),
                f(DType.F32, 10),
                new OptimStep(OptimKind.ADAMW, 3, 0.1f, 0, 0, 0.01f, 0.9f, 0.999f, 1e-8f, false, false, false));
        checked.biasAdd(f(DType.F32, 3, 5), f(DType.F32, 5));
        assertEquals(
                List.of("gather", "gather", "embeddingBagForward", "softmaxXent", "gemm", "denseUpdate", "biasAdd"),
                calls);
    }
}
