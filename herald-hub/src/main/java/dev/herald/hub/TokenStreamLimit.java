package dev.herald.hub;

import dev.herald.hub.auth.AuthException;
import dev.herald.hub.auth.TokenExtractor;
import dev.herald.server.BrokerListener;
import dev.herald.server.StreamRefusedException;
import dev.herald.server.StreamRequest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code max} open streams per subscriber token (Mercure: a hub may limit the concurrent
 * subscriptions of one token and answer further ones with 429), so one leaked or shared token
 * cannot hold the hub's connections. Streams are counted as they connect and disconnect; the
 * limit is checked when a stream is asked for, so requests racing each other may pass it by a few.
 * Anonymous streams are not counted here.
 *
 * <p>The token is read when the stream is checked, from the request's headers or query: the
 * broker's callbacks give the request without its headers (an open stream does not keep them), so
 * each stream's token is recorded then ({@link AcceptedStreams}). Two equal header-less
 * requests (HTTP/2 streams of one connection asking the same) share a record: the second is not
 * counted.
 */
final class TokenStreamLimit implements BrokerListener {
  private final int max;
  private final TokenExtractor extractor;
  private final Map<String, Count> open = new ConcurrentHashMap<>();
  private final AcceptedStreams<String> accepted = new AcceptedStreams<>(); // checked, not connected yet
  private final Map<StreamRequest, String> counted = new ConcurrentHashMap<>(); // connected: the token counted

  /** A token's open streams; changed only within {@code open}'s compute, under its lock. */
  private static final class Count {
    final String token; // the copy every stream of this token shares
    volatile int streams;

    Count(String token) {
      this.token = token;
    }
  }

  TokenStreamLimit(int max, TokenExtractor extractor) {
    if (max <= 0) throw new IllegalArgumentException("the streams per token must be positive: " + max);
    this.max = max;
    this.extractor = extractor;
  }

  /**
   * Refuses the request if its token already holds {@code max} streams; else records its token,
   * counted once the stream connects.
   *
   * @throws StreamRefusedException 429, with {@code Retry-After}
   */
  void check(StreamRequest request) {
    token(request).ifPresent(token -> {
      Count n = open.get(token);
      if (n != null && n.streams >= max) {
        throw new StreamRefusedException(429, "too many streams for this token: " + max + " are open",
            Map.of("retry-after", "10"));
      }
      accepted.put(request, token);
    });
  }

  @Override
  public void onConnect(StreamRequest request) {
    String token = accepted.remove(request);
    if (token == null) return; // anonymous, or another limit's stream
    Count n = open.compute(token, (t, c) -> {
      Count count = c == null ? new Count(t) : c;
      count.streams++;
      return count;
    });
    counted.put(request, n.token);
  }

  @Override
  public void onDisconnect(StreamRequest request, String reason) {
    accepted.remove(request);
    String token = counted.remove(request);
    if (token != null) open.computeIfPresent(token, (t, c) -> --c.streams == 0 ? null : c);
  }

  /** Streams open for tokens (tests). */
  int streams(String token) {
    Count n = open.get(token);
    return n == null ? 0 : n.streams;
  }

  private Optional<String> token(StreamRequest request) {
    try {
      return extractor.extract(request.headers(), request.query()).map(TokenExtractor.Token::value);
    } catch (AuthException e) {
      return Optional.empty(); // such a request is refused before it connects
    }
  }
}
