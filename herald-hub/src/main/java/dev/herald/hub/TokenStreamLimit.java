package dev.herald.hub;

import dev.herald.hub.auth.AuthException;
import dev.herald.hub.auth.TokenExtractor;
import dev.herald.server.BrokerListener;
import dev.herald.server.StreamRefusedException;
import dev.herald.server.StreamRequest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code max} open streams per subscriber token (Mercure: a hub may limit the concurrent
 * subscriptions of one token and answer further ones with 429), so one leaked or shared token
 * cannot hold the hub's connections. Streams are counted as they connect and disconnect; the
 * limit is checked when a stream is asked for, so requests racing each other may pass it by a few.
 * Anonymous streams are not counted here.
 */
final class TokenStreamLimit implements BrokerListener {
  private final int max;
  private final TokenExtractor extractor;
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();

  TokenStreamLimit(int max, TokenExtractor extractor) {
    if (max <= 0) throw new IllegalArgumentException("the streams per token must be positive: " + max);
    this.max = max;
    this.extractor = extractor;
  }

  /**
   * Refuses the request if its token already holds {@code max} streams.
   *
   * @throws StreamRefusedException 429, with {@code Retry-After}
   */
  void check(StreamRequest request) {
    token(request).ifPresent(token -> {
      AtomicInteger n = open.get(token);
      if (n != null && n.get() >= max) {
        throw new StreamRefusedException(429, "too many streams for this token: " + max + " are open",
            Map.of("retry-after", "10"));
      }
    });
  }

  @Override
  public void onConnect(StreamRequest request) {
    token(request).ifPresent(token -> open.computeIfAbsent(token, t -> new AtomicInteger()).incrementAndGet());
  }

  @Override
  public void onDisconnect(StreamRequest request, String reason) {
    token(request).ifPresent(token -> open.computeIfPresent(token, (t, n) -> n.decrementAndGet() == 0 ? null : n));
  }

  /** Streams open for tokens (tests). */
  int streams(String token) {
    AtomicInteger n = open.get(token);
    return n == null ? 0 : n.get();
  }

  private Optional<String> token(StreamRequest request) {
    try {
      return extractor.extract(request.headers(), request.query()).map(TokenExtractor.Token::value);
    } catch (AuthException e) {
      return Optional.empty(); // such a request is refused before it connects
    }
  }
}
