package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.embed4j.testing.TestFiles;
import org.embed4j.testing.fuzz.Fuzzer;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the parsing of request bodies ({@link JsonRequest}) as the endpoints call it: the body parsed with the
 * union of the endpoints' fields and the batch limit, then every typed field read the endpoints make (the inputs of
 * a batch, k, the explain flag, the analogy method, the a/b/c of each analogy query). Property ({@link Fuzzer}): every body ends in
 * values or in an {@link ApiException} (a 4xx with a one-line message), never another exception, a hang or an Error.
 * Seeds: {@code src/serve/test/resources/fuzz/json-body}; budget as in the core readers' fuzz test (1000 mutants,
 * at most 2 s).
 */
class RequestParsingFuzzTest {
    private static final int MAX_BATCH = 64;
    private static final int MAX_K = 100;
    private static final Set<String> FIELDS =
            Set.of("explain", "texts", "text", "words", "word", "k", "method", "queries", "a", "b", "c");

    /** {@link #parse}, with the rule that a refused body is the client's error (4xx), never the server's. */
    static void parseOr4xx(byte[] body) {
        try {
            parse(body);
        } catch (ApiException e) {
            if (e.status() >= 500) {
                throw new AssertionError("a body answered with " + e.status() + ": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** What an endpoint does with a body before it computes anything. */
    static void parse(byte[] body) {
        JsonRequest o = JsonRequest.parse(BodyBytes.copyOf(body, body.length), FIELDS, MAX_BATCH);
        for (String[] field : new String[][] {{"texts", "text"}, {"words", "word"}}) {
            if (o.has(field[0]) || o.has(field[1])) {
                List<String> inputs = o.strings(field[0], field[1]);
                assertTrue(!inputs.isEmpty() && inputs.size() <= MAX_BATCH, "batch of " + inputs.size());
            }
        }
        int k = o.k(10, MAX_K);
        assertTrue(k >= 1 && k <= MAX_K, "k " + k);
        o.optString("method", "3cosadd");
        o.flag("explain");
        if (o.has("queries")) {
            for (JsonRequest q : o.objects("queries", "{\"a\",\"b\",\"c\"}")) {
                for (String name : List.of("a", "b", "c")) {
                    q.string(name);
                }
            }
        } else if (o.has("a")) {
            o.string("a");
        }
    }

    @Test
    void everyBodyEndsInValuesOrA4xx() throws IOException {
        List<byte[]> seeds = Fuzzer.seeds(TestFiles.repoRoot().resolve("src/serve/test/resources/fuzz/json-body"));
        Fuzzer.Report r = new Fuzzer("json-body", RequestParsingFuzzTest::parseOr4xx, List.of(ApiException.class), null)
                .run(seeds, Fuzzer.Options.fromSystemProperties(2, 1000));
        System.getLogger(RequestParsingFuzzTest.class.getName())
                .log(
                        System.Logger.Level.INFO,
                        "fuzz json-body: {0} inputs, {1} parsed, {2} findings",
                        r.inputs(),
                        r.accepted(),
                        r.findings().size());
        assertTrue(r.findings().isEmpty(), r.findings().toString());
        assertTrue(r.accepted() > 0 && r.inputs() > seeds.size(), "nothing parsed or nothing mutated");
    }
}
