package dev.herald.server;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides from a request which topics a connection follows. The default, {@link #QUERY}, reads
 * repeated {@code topic} query parameters as exact topics and {@code pattern} parameters as
 * {@linkplain TopicPattern#glob globs}. A hub plugs in its own (URI templates, authorisation).
 */
@FunctionalInterface
public interface TopicSelector {
  /**
   * Returns the subscription for {@code request}.
   *
   * @throws IllegalArgumentException if the request is malformed; its message becomes the body of
   *     a {@code 400} reply
   * @throws SecurityException if the request may not follow what it asks; its message becomes the
   *     body of a {@code 403} reply
   * @throws StreamRefusedException to answer with another status and headers (a 401, say)
   */
  Subscription select(StreamRequest request);

  /** {@code ?topic=a&topic=b&pattern=prices/*}. */
  TopicSelector QUERY = request -> {
    Set<String> topics = new LinkedHashSet<>();
    for (String topic : request.queryParams("topic")) {
      if (topic.isEmpty()) throw new IllegalArgumentException("empty topic parameter");
      topics.add(topic);
    }
    List<TopicPattern> patterns = new ArrayList<>();
    for (String glob : request.queryParams("pattern")) {
      if (glob.isEmpty()) throw new IllegalArgumentException("empty pattern parameter");
      patterns.add(TopicPattern.glob(glob));
    }
    if (topics.isEmpty() && patterns.isEmpty()) {
      throw new IllegalArgumentException("no topic: add ?topic=NAME (repeatable) to the URL");
    }
    return new Subscription(topics, patterns);
  };
}
