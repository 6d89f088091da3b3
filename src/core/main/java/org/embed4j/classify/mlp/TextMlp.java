package org.embed4j.classify.mlp;

import org.embed4j.backend.Backend;
import org.embed4j.backend.BagMode;
import org.embed4j.nn.Dropout;
import org.embed4j.nn.EmbeddingBag;
import org.embed4j.nn.Linear;
import org.embed4j.nn.Module;
import org.embed4j.nn.ReLU;
import org.embed4j.nn.Sequential;
import org.embed4j.tensor.Tensor;

/**
 * An MLP text classifier: the mean of a text's word embeddings → Linear + ReLU (+ Dropout) →
 * Linear → logits over the classes, i.e. {@code logits = W2·dropout(relu(W1·mean_j E[w_j] + b1)) + b2}.
 * The embedding mean is an {@link EmbeddingBag} in MEAN mode, so the (N,D) lookups are never materialised.
 * Parameter names follow a PyTorch model with attributes {@code embedding} and {@code mlp}
 * ("embedding.weight", "mlp.0.weight", ...). Not thread-safe (see {@link Module}).
 */
public final class TextMlp extends Module {
    private final EmbeddingBag embedding;
    private final Linear hidden;
    private final Linear output;
    private final Sequential mlp;

    public TextMlp(int vocabSize, int dim, int hidden, int classes, float dropout, Backend backend) {
        super(backend);
        this.embedding = registerModule(
                "embedding",
                new EmbeddingBag(vocabSize, dim, EmbeddingBag.Options.defaults().withMode(BagMode.MEAN), backend()));
        this.hidden = new Linear(dim, hidden, true, backend());
        Sequential seq = new Sequential(backend(), this.hidden, new ReLU(backend()));
        if (dropout > 0f) {
            seq.append(new Dropout(dropout, org.embed4j.nn.Init.nextSeed(), backend()));
        }
        this.output = new Linear(hidden, classes, true, backend());
        seq.append(output);
        this.mlp = registerModule("mlp", seq);
    }

    /** The embedding table E (V, D). */
    public EmbeddingBag embedding() {
        return embedding;
    }

    /** The hidden layer W1 (H, D), b1 (H). */
    public Linear hidden() {
        return hidden;
    }

    /** The output layer W2 (K, H), b2 (K). */
    public Linear output() {
        return output;
    }

    /** Logits (B, classes) for the bags {@code ids} (N) delimited by {@code offsets} (B starts). */
    public Tensor forward(Tensor ids, Tensor offsets) {
        return mlp.forward(embedding.forward(ids, offsets));
    }

    /** Backward from dLogits (B, classes); accumulates every parameter's gradient. */
    @Override
    public Tensor backward(Tensor dLogits) {
        embedding.backward(mlp.backward(dLogits));
        return null;
    }

    @Override
    public String toString() {
        return "TextMlp(\n  (embedding): " + embedding + "\n  (mlp): "
                + mlp.toString().replace("\n", "\n  ") + "\n)";
    }
}
