package dev.herald.bench.load;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Any SSE hub, for {@code herald bench}: where to subscribe and publish (URL templates with
 * {@code {topic}}), how to encode a publish and which headers to send with it. Several subscribe
 * URLs (the nodes of a cluster) share the subscribers out in turn; publishes go to one URL.
 */
final class Target {
  enum Format {
    /** Mercure/Herald: {@code POST} form {@code topic=..&data=..}. */
    HERALD_FORM,
    /** Nchan: the request body is the message. */
    NCHAN_RAW
  }

  final String topic;
  /** The first of {@link #subscribes}. */
  final URI subscribe;
  /** Where subscribers connect: subscriber i to {@code subscribes.get(i % size)}. */
  final List<URI> subscribes;
  final URI publish;
  final Format format;
  final List<String[]> headers = new ArrayList<>();
  /** Header lines ({@code Name: value}) sent with every subscribe request. */
  final List<String> subscribeHeaders = new ArrayList<>();
  final byte[] formTopic;

  Target(String subscribeTemplate, String publishTemplate, Format format, List<String> headerLines, String topic) {
    this(List.of(subscribeTemplate), publishTemplate, format, headerLines, topic);
  }

  Target(List<String> subscribeTemplates, String publishTemplate, Format format, List<String> headerLines, String topic) {
    this.topic = topic;
    if (subscribeTemplates.isEmpty()) throw new IllegalArgumentException("no subscribe URL");
    List<URI> subs = new ArrayList<>();
    for (String t : subscribeTemplates) subs.add(URI.create(t.replace("{topic}", topic)));
    this.subscribes = List.copyOf(subs);
    this.subscribe = subscribes.get(0);
    this.publish = URI.create(publishTemplate.replace("{topic}", topic));
    this.format = format;
    for (String h : headerLines) {
      int colon = h.indexOf(':');
      if (colon <= 0) throw new IllegalArgumentException("--publish-header 'Name: value', got: " + h);
      headers.add(new String[] {h.substring(0, colon).trim(), h.substring(colon + 1).trim()});
    }
    formTopic = ("topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8) + "&data=").getBytes(StandardCharsets.US_ASCII);
    List<URI> all = new ArrayList<>(subscribes);
    all.add(publish);
    for (URI u : all) {
      if (!"http".equals(u.getScheme()) || u.getPort() < 0) {
        throw new IllegalArgumentException("expected http://host:port/...: " + u);
      }
    }
  }

  /** Whether subscribe target {@code i} is the node publishes go to (same host and port). */
  boolean isPublishNode(int i) {
    URI s = subscribes.get(i);
    return s.getHost().equals(publish.getHost()) && s.getPort() == publish.getPort();
  }

  static String pathAndQuery(URI u) {
    String p = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    return u.getRawQuery() == null ? p : p + "?" + u.getRawQuery();
  }
}
