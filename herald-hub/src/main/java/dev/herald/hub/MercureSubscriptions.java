package dev.herald.hub;

import dev.herald.hub.auth.AuthException;
import dev.herald.hub.auth.Authorization;
import dev.herald.hub.auth.Authorizer;
import dev.herald.hub.auth.MercureSelector;
import dev.herald.server.HeraldServer;
import dev.herald.server.StreamRefusedException;
import dev.herald.server.StreamRequest;
import dev.herald.server.Subscription;
import dev.herald.server.TopicPattern;
import dev.herald.server.TopicSelector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Mercure's subscribe side: {@code topic=} selectors (0.x) and {@code match=} /
 * {@code match_urlpattern=} (1.0), OR-ed; exact strings go to the broker's hash index, templates
 * and {@code *} become patterns; the subscriber JWT decides which private updates it sees, and the
 * stream ends when that JWT expires.
 */
final class MercureSubscriptions implements TopicSelector {
  /** Exact selectors: 1.0's {@code match}, and the spellings of the draft-08 and the hub 1.0 before it. */
  static final List<String> EXACT = List.of("match", "match_exact", "matchExact");
  /** URL Pattern selectors, and the draft-08 spelling. */
  static final List<String> URL_PATTERN = List.of("match_urlpattern", "matchURLPattern");
  private static final List<String> SELECTOR_PARAMS = List.of("topic", "match", "match_exact", "matchExact",
      "match_urlpattern", "matchURLPattern");

  private final Authorizer auth;
  private final HubUrl hubUrl;
  private final boolean anonymousAllowed;
  private final Function<String, TopicPattern> selectors;
  private final Function<String, TopicPattern> urlPatterns;
  private ActiveSubscriptions active; // null unless the subscriptions API is on
  private TokenStreamLimit streamLimit; // null: no limit
  private Duration maxLifetime; // null: streams last as long as their token

  MercureSubscriptions(Authorizer auth, HubUrl hubUrl, boolean anonymousAllowed, Function<String, TopicPattern> selectors,
      Function<String, TopicPattern> urlPatterns) {
    this.auth = auth;
    this.hubUrl = hubUrl;
    this.anonymousAllowed = anonymousAllowed;
    this.selectors = selectors;
    this.urlPatterns = urlPatterns;
  }

  /** Selectors per subscription, every spelling counted: the server's own cap on topics per stream. */
  static final int MAX_SELECTORS = HeraldServer.DEFAULT_MAX_TOPICS_PER_CONNECTION;

  @Override
  public Subscription select(StreamRequest request) {
    // Counted and measured before anything is compiled: a request of thousands of long templates
    // must cost no more than its refusal.
    int count = selectorCount(request);
    if (count > MAX_SELECTORS) {
      throw new IllegalArgumentException("too many topic selectors: " + count + ", the limit is " + MAX_SELECTORS);
    }
    for (String name : SELECTOR_PARAMS) {
      for (String selector : request.queryParams(name)) {
        if (selector.length() > MercureSelector.MAX_SELECTOR_CHARS) {
          throw new IllegalArgumentException(name + " selector longer than " + MercureSelector.MAX_SELECTOR_CHARS
              + " characters (" + selector.length() + ")");
        }
      }
    }
    Set<String> exact = new LinkedHashSet<>();
    List<TopicPattern> patterns = new ArrayList<>();
    for (String selector : request.queryParams("topic")) {
      if (selector.isEmpty()) throw new IllegalArgumentException("empty topic selector");
      if (isExact(selector)) {
        exact.add(selector); // a hash lookup, not a pattern
      } else {
        patterns.add(compile(selectors, selector));
      }
    }
    // forEach, not keySet(): an immutable map keeps the key set it made, and an open stream keeps its query.
    request.query().forEach((name, values) -> {
      if (name.startsWith("match") && !EXACT.contains(name) && !URL_PATTERN.contains(name)) {
        throw new IllegalArgumentException("unknown parameter " + name + ": the match namespace is reserved (match, "
            + "match_urlpattern)");
      }
    });
    for (String selector : params(request, EXACT)) {
      // 1.0: exact strings, braces included; only * is special.
      if (selector.isEmpty()) throw new IllegalArgumentException("empty match selector");
      if (selector.equals("*")) {
        patterns.add(topic -> true);
      } else {
        exact.add(selector);
      }
    }
    for (String pattern : params(request, URL_PATTERN)) {
      patterns.add(compile(urlPatterns, pattern));
    }
    if (exact.isEmpty() && patterns.isEmpty()) {
      throw new IllegalArgumentException("missing topic: add ?topic=<selector> (repeatable)");
    }
    Authorization access = access(request);
    if (streamLimit != null) streamLimit.check(request);
    if (active != null) {
      List<ActiveSubscriptions.Matcher> matchers = new ArrayList<>();
      request.queryParams("topic").forEach(t -> matchers.add(ActiveSubscriptions.Matcher.topic(t)));
      params(request, EXACT).forEach(m -> matchers.add(new ActiveSubscriptions.Matcher("exact", m)));
      params(request, URL_PATTERN).forEach(m -> matchers.add(new ActiveSubscriptions.Matcher("urlpattern", m)));
      active.accepted(request, matchers, access);
    }
    // Mercure: a stream must not outlive the token that opened it; the client comes back with a new one.
    return new Subscription(exact, patterns, auth.privateTopics(access), endsAt(access.expiresAt().orElse(null)));
  }

  /** The topic selectors a stream request names, every spelling counted. */
  static int selectorCount(StreamRequest request) {
    return request.queryParams("topic").size() + params(request, EXACT).size() + params(request, URL_PATTERN).size();
  }

  /** Every value of the parameters {@code names}, in their order. */
  private static List<String> params(StreamRequest request, List<String> names) {
    List<String> values = new ArrayList<>();
    for (String name : names) values.addAll(request.queryParams(name));
    return values;
  }

  /** Ends every stream after 90-100% of {@code lifetime} (null: no limit), spreading the reconnections. */
  MercureSubscriptions withMaxLifetime(Duration lifetime) {
    this.maxLifetime = lifetime;
    return this;
  }

  /** The earlier of the token's expiry and the end of the stream's lifetime; null if neither. */
  private Instant endsAt(Instant tokenExpiry) {
    if (maxLifetime == null) return tokenExpiry;
    long nanos = maxLifetime.toNanos();
    Instant end = Instant.now().plusNanos(nanos - ThreadLocalRandom.current().nextLong(nanos / 10 + 1));
    return tokenExpiry == null || end.isBefore(tokenExpiry) ? end : tokenExpiry;
  }

  MercureSubscriptions withStreamLimit(TokenStreamLimit limit) {
    this.streamLimit = limit;
    return this;
  }

  MercureSubscriptions withActiveSubscriptions(ActiveSubscriptions active) {
    this.active = active;
    return this;
  }

  private Authorization access(StreamRequest request) {
    Optional<Authorization> access;
    try {
      access = auth.authenticateSubscriber(request.headers(), request.query());
    } catch (AuthException e) {
      throw new StreamRefusedException(e.status(), e.getMessage(), Map.of("www-authenticate", e.challenge()));
    }
    if (access.isEmpty() && !anonymousAllowed) {
      String reason = "anonymous subscribers are not allowed: send a subscriber JWT";
      String challenge = Authorizer.challenge(hubUrl.resourceMetadata(request.header("host")));
      throw new StreamRefusedException(401, reason, Map.of("www-authenticate", challenge));
    }
    if (access.isPresent() && access.get().expiresAt().filter(exp -> !exp.isAfter(Instant.now())).isPresent()) {
      // Within the verifier's clock skew the token still verifies, but a stream would end at once:
      // refuse, so that a client comes back with a new token rather than in a loop.
      String reason = "token expired";
      throw new StreamRefusedException(401, reason, Map.of("www-authenticate", Authorizer.invalidTokenChallenge(reason)));
    }
    return access.orElse(Authorization.NONE);
  }

  private static TopicPattern compile(Function<String, TopicPattern> compiler, String selector) {
    try {
      return compiler.apply(selector);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid topic selector " + selector + ": " + e.getMessage());
    }
  }

  /** Neither {@code *} nor a URI template: matched by name. */
  static boolean isExact(String selector) {
    return !selector.equals("*") && selector.indexOf('{') < 0;
  }
}
