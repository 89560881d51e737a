package io.cairn.metrics.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of an endpoint, as Prometheus does it (an HTTP GET), parsed from the text format: each sample by its
 * name and labels, and each family's {@code # TYPE}.
 */
record Scraped(int status, String contentType, String body, Map<String, Double> samples, Map<String, String> types) {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern SAMPLE =
            Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)(?: \\S+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** GETs {@code url} with {@code accept} (or none) and parses the answer. */
    static Scraped get(String url, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (accept != null) {
            r.header("Accept", accept);
        }
        HttpResponse<String> response = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
        return parse(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body());
    }

    static Scraped get(String url) throws IOException, InterruptedException {
        return get(url, null);
    }

    static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static Scraped parse(int status, String contentType, String body) {
        Map<String, Double> samples = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        if (status != 200) {
            return new Scraped(status, contentType, body, samples, types); // an error text, no metrics
        }
        for (String line : body.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                types.put(parts[2], parts[3]);
                continue;
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not a sample line of the text format: " + line);
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.put(key(m.group(1), labels), Double.parseDouble(m.group(3)));
        }
        return new Scraped(status, contentType, body, samples, types);
    }

    private static String key(String name, Map<String, String> labels) {
        return name + labels;
    }

    /**
     * The value of sample {@code name} with exactly the labels {@code labelPairs} (name, value, name, value...), or
     * {@code null} if there is none.
     */
    Double value(String name, String... labelPairs) {
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            labels.put(labelPairs[i], labelPairs[i + 1]);
        }
        return samples.get(key(name, labels));
    }

    /** The samples of {@code name}, whatever their labels. */
    List<String> series(String name) {
        List<String> list = new ArrayList<>();
        for (String k : samples.keySet()) {
            if (k.startsWith(name + "{")) {
                list.add(k);
            }
        }
        return list;
    }
}
