package org.embed4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.embed4j.text.Phrases;
import org.embed4j.text.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code embed4j phrases --input corpus --output corpus.phrases [--min-count 5 --threshold 100 --passes 2]}: word2vec's
 * word2phrase: frequent word pairs become one token ("new_york"), scored (count(ab) − min-count) / (count(a)·count(b))
 * · N; each pass can join the previous pass's phrases into longer ones. Streams the corpus (plain or gzip; the output
 * is gzip when its name ends in .gz), in bounded memory ({@code --max-vocab-size}).
 */
@Command(
        name = "phrases",
        mixinStandardHelpOptions = true,
        description = "Join frequent word pairs into phrases (word2vec's word2phrase): new york -> new_york.")
final class PhrasesCommand implements Callable<Integer> {
    @Mixin
    CorpusArgs corpus = new CorpusArgs();

    @Option(
            names = {"--output", "-output"},
            required = true,
            description = "the corpus with phrases joined by '_' (.gz: gzip)")
    Path output;

    @Option(
            names = {"--min-count", "-min-count"},
            defaultValue = "5",
            description = "ignore words and pairs seen fewer times (default ${DEFAULT-VALUE})")
    long minCount;

    @Option(
            names = {"--threshold", "-threshold"},
            defaultValue = "100",
            description = "join a pair when its score passes this; higher means fewer phrases (default "
                    + "${DEFAULT-VALUE})")
    double threshold;

    @Option(
            names = "--passes",
            defaultValue = "2",
            description = "rounds of learning and joining; round n can make phrases of up to 2^n words (default "
                    + "${DEFAULT-VALUE})")
    int passes;

    @Option(
            names = "--max-vocab-size",
            defaultValue = "10000000",
            description = "words + pairs held while counting before the rarest are dropped (default "
                    + "${DEFAULT-VALUE}, about 0.5 GB)")
    int maxEntries;

    @Override
    public Integer call() {
        return VectorsCommands.run("phrases", () -> {
            long start = System.nanoTime();
            int[] pass = {0};
            Phrases.rewrite(
                    corpus.input,
                    output,
                    new Tokenizer(corpus.lowercase),
                    minCount,
                    threshold,
                    passes,
                    maxEntries,
                    p -> {
                        pass[0]++;
                        var top = p.phrases();
                        System.out.printf(
                                Locale.ROOT,
                                "pass %d: %,d tokens, %,d phrases%s%n",
                                pass[0],
                                p.tokens(),
                                p.size(),
                                top.isEmpty()
                                        ? ""
                                        : " (best: " + String.join(", ", top.subList(0, Math.min(8, top.size())))
                                                + ")");
                    });
            System.out.printf(Locale.ROOT, "wrote %s in %.1f s%n", output, (System.nanoTime() - start) / 1e9);
            return 0;
        });
    }
}
