package org.embed4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.embed4j.io.Json;
import org.junit.jupiter.api.Test;

/** POST /v1/search bodies: answers, and every kind of bad input as a 4xx JSON error (never a 5xx, never a throw). */
class SearchApiTest {
    private final SearchApi api = new SearchApi(
            TextIndex.build(TextIndexTest.abc(), TextIndexTest.entries(), TextIndex.Options.defaults()), 2, 5);

    @Test
    @SuppressWarnings("unchecked")
    void answers() throws Exception {
        SearchApi.Response r = api.handle("{\"texts\": [\"c\", \"a a\"], \"k\": 2}");
        assertEquals(200, r.status(), r.json());
        Map<String, Object> body = Json.parseObject(r.json());
        List<Object> results = (List<Object>) body.get("results");
        assertEquals(2, results.size());
        Map<String, Object> first = (Map<String, Object>) results.get(0);
        assertEquals("c", first.get("text"));
        List<Object> matches = (List<Object>) first.get("matches");
        assertEquals(2, matches.size());
        Map<String, Object> top = (Map<String, Object>) matches.get(0);
        assertEquals("q2", top.get("id"));
        assertEquals("y", top.get("label"));
        assertTrue(top.containsKey("text") && top.containsKey("score"));
        assertEquals(200, api.handle("{\"text\": \"b\"}").status(), "k defaults to min(10, maxK)");
    }

    @Test
    void badInputIs4xx() throws Exception {
        String[][] cases = {
            {"", "malformed_json"},
            {"[1]", "malformed_json"},
            {"{\"text\": ", "malformed_json"},
            {"{}", "missing_field"},
            {"{\"text\": 3}", "bad_field"},
            {"{\"text\": \"   \"}", "empty_input"},
            {"{\"texts\": []}", "empty_input"},
            {"{\"texts\": \"a\"}", "bad_field"},
            {"{\"texts\": [\"a\", 1]}", "bad_field"},
            {"{\"text\": \"a\", \"texts\": [\"a\"]}", "bad_field"},
            {"{\"text\": \"a\", \"k\": 0}", "bad_k"},
            {"{\"text\": \"a\", \"k\": 6}", "bad_k"},
            {"{\"text\": \"a\", \"k\": 1.5}", "bad_k"},
            {"{\"text\": \"a\", \"k\": \"3\"}", "bad_k"},
            {"{\"text\": \"a\", \"k\": 1e999}", "bad_k"},
            {"{\"text\": \"qqq www\"}", "no_known_words"},
            {"{\"texts\": [\"a\", \"b\", \"c\"]}", "batch_too_large"},
        };
        for (String[] c : cases) {
            SearchApi.Response r = api.handle(c[0]);
            assertTrue(r.status() >= 400 && r.status() < 500, c[0] + " -> " + r.status());
            Map<?, ?> err = (Map<?, ?>) Json.parseObject(r.json()).get("error");
            assertEquals(c[1], err.get("code"), c[0] + " -> " + r.json());
            assertTrue(!((String) err.get("message")).isBlank());
        }
        assertEquals(413, api.handle("{\"texts\": [\"a\", \"b\", \"c\"]}").status());
        assertEquals(400, api.handle(null).status());
    }
}
