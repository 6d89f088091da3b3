package org.embed4j.serve;

import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One endpoint of the route table: its path and method, whether it needs the bearer token, the models it answers
 * from (guarded before each call, marked unhealthy when it produces a non-finite number), and what it answers.
 * A POST endpoint gets its body parsed with limits ({@link JsonRequest}) keeping the top-level {@code fields} it
 * names and answers UTF-8 JSON; a GET endpoint (HEAD too) answers a {@link Reply} of its own. Immutable.
 */
record Route(
        String path,
        String method,
        boolean authenticated,
        List<ServedModel> models,
        Set<String> fields,
        Function<JsonRequest, byte[]> post,
        Supplier<Reply> get) {

    /** A response of a GET endpoint. */
    record Reply(int status, String contentType, byte[] body) {}

    static Route post(String path, List<ServedModel> models, Set<String> fields, Function<JsonRequest, byte[]> answer) {
        return new Route(path, "POST", true, List.copyOf(models), Set.copyOf(fields), answer, null);
    }

    static Route get(String path, boolean authenticated, Supplier<Reply> answer) {
        return new Route(path, "GET", authenticated, List.of(), Set.of(), null, answer);
    }

    boolean allows(String requestMethod) {
        return method.equals(requestMethod) || (method.equals("GET") && requestMethod.equals("HEAD"));
    }

    /** The Allow header of a 405. */
    String allow() {
        return method.equals("GET") ? "GET, HEAD" : method;
    }

    /** Throws the 503 of the first model that must not be used now. */
    void guard() {
        for (ServedModel m : models) {
            m.guard();
        }
    }
}
