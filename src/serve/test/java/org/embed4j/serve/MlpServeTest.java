package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.Prediction;
import org.embed4j.classify.mlp.MlpClassifier;
import org.embed4j.testing.MlpFixtures;
import org.junit.jupiter.api.Test;

/** An MLP classifier behind {@code POST /v1/classify} answers exactly what {@link MlpClassifier#predict} does. */
class MlpServeTest {

    @Test
    void classifyEndpointServesTheMlp() throws Exception {
        MlpClassifier model = MlpFixtures.trained().classifier();
        List<LabeledText> texts = MlpFixtures.test().subList(0, 5);
        try (EmbedServer server = EmbedServer.start(null, model, ServeOptions.DEFAULTS.withPort(0));
                HttpClient http = HttpClient.newHttpClient()) {
            JsonArray body = new JsonArray();
            texts.forEach(t -> body.add(t.text()));
            JsonObject request = new JsonObject();
            request.add("texts", body);
            request.addProperty("k", 2);
            URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + "/v1/classify");
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(request.toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonArray results =
                    JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("results");
            for (int i = 0; i < texts.size(); i++) {
                List<Prediction> expected = model.predict(texts.get(i).text(), 2);
                JsonArray labels = results.get(i).getAsJsonObject().getAsJsonArray("labels");
                assertEquals(expected.size(), labels.size());
                for (int j = 0; j < expected.size(); j++) {
                    JsonObject l = labels.get(j).getAsJsonObject();
                    assertEquals(expected.get(j).label(), l.get("label").getAsString());
                    assertEquals(
                            expected.get(j).probability(), l.get("probability").getAsDouble(), 1e-6);
                }
            }
        }
    }
}
