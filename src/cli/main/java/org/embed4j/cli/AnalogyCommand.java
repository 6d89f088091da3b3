package org.embed4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.embed4j.vectors.AnalogyMethod;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code embed4j analogy <model> a b c [-k 10] [--method cosadd|cosmul]}: a is to b as c is to ?. */
@Command(
        name = "analogy",
        mixinStandardHelpOptions = true,
        description = "Answer a is to b as c is to ? (3CosAdd or 3CosMul), a, b and c excluded.")
final class AnalogyCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "vectors file")
    Path model;

    @Parameters(index = "1", description = "a")
    String a;

    @Parameters(index = "2", description = "b")
    String b;

    @Parameters(index = "3", description = "c")
    String c;

    @Option(names = "-k", defaultValue = "10", description = "number of answers (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--method", defaultValue = "cosadd", description = "cosadd or cosmul (default ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--format", description = "file format when detection is not wanted")
    String format;

    @Override
    public Integer call() {
        return VectorsCommands.run("analogy", () -> {
            AnalogyMethod m =
                    switch (method.toLowerCase(Locale.ROOT).replace("_", "").replace("3", "")) {
                        case "cosadd", "add" -> AnalogyMethod.COS_ADD;
                        case "cosmul", "mul" -> AnalogyMethod.COS_MUL;
                        default ->
                            throw new IllegalArgumentException(
                                    "unknown --method '" + method + "': use cosadd or cosmul");
                    };
            WordVectors v = VectorsCommands.load(model, format);
            for (Neighbor n : v.analogy(a, b, c, k, m)) {
                System.out.printf("%s\t%.4f%n", Terminal.escape(n.word()), n.score());
            }
            return 0;
        });
    }
}
