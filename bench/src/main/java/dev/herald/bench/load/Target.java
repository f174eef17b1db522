package dev.herald.bench.load;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Any SSE hub, for {@code herald bench}: where to subscribe and publish (URL templates with
 * {@code {topic}}), how to encode a publish and which headers to send with it.
 */
final class Target {
  enum Format {
    /** Mercure/Herald: {@code POST} form {@code topic=..&data=..}. */
    HERALD_FORM,
    /** Nchan: the request body is the message. */
    NCHAN_RAW
  }

  final String topic;
  final URI subscribe;
  final URI publish;
  final Format format;
  final List<String[]> headers = new ArrayList<>();
  final byte[] formTopic;

  Target(String subscribeTemplate, String publishTemplate, Format format, List<String> headerLines, String topic) {
    this.topic = topic;
    this.subscribe = URI.create(subscribeTemplate.replace("{topic}", topic));
    this.publish = URI.create(publishTemplate.replace("{topic}", topic));
    this.format = format;
    for (String h : headerLines) {
      int colon = h.indexOf(':');
      if (colon <= 0) throw new IllegalArgumentException("--publish-header 'Name: value', got: " + h);
      headers.add(new String[] {h.substring(0, colon).trim(), h.substring(colon + 1).trim()});
    }
    formTopic = ("topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8) + "&data=").getBytes(StandardCharsets.US_ASCII);
    for (URI u : List.of(subscribe, publish)) {
      if (!"http".equals(u.getScheme()) || u.getPort() < 0) {
        throw new IllegalArgumentException("expected http://host:port/...: " + u);
      }
    }
  }

  static String pathAndQuery(URI u) {
    String p = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    return u.getRawQuery() == null ? p : p + "?" + u.getRawQuery();
  }
}
