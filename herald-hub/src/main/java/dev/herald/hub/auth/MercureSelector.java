package dev.herald.hub.auth;

import dev.herald.server.TopicPattern;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Mercure topic selector, compiled: which topics a subscriber asks for or a token covers.
 *
 * <p>Three kinds, one per place a selector appears in the protocol:
 *
 * <table>
 *   <caption>Selector kinds</caption>
 *   <tr><th>Kind</th><th>Where</th><th>Meaning</th></tr>
 *   <tr><td>{@link Kind#TEMPLATE}</td><td>0.x {@code topic=}, 0.x {@code mercure.publish} /
 *       {@code mercure.subscribe} claims</td><td>the exact string, or, if it contains {@code {},
 *       an RFC 6570 URI template</td></tr>
 *   <tr><td>{@link Kind#EXACT}</td><td>1.0 {@code match=}, {@code "match_type": "exact"}
 *       (the default) in {@code authorization_details}</td><td>the exact string, byte for byte</td></tr>
 *   <tr><td>{@link Kind#URL_PATTERN}</td><td>1.0 {@code match_urlpattern=},
 *       {@code "match_type": "urlpattern"}</td><td>a URL pattern (the subset {@code UrlPattern}
 *       documents: {@code :name} segments and {@code *})</td></tr>
 * </table>
 *
 * <p>Whatever the kind, {@code *} matches every topic, and a topic equal to the selector always
 * matches (the reference hub compares the strings before trying the template).
 *
 * <p>Instances are immutable and thread-safe, and {@link #matches} runs in time linear in the
 * topic's length whatever the selector (no backtracking). The factories share compiled selectors
 * through a bounded cache of {@value #CACHE_ENTRIES} entries, so a selector repeated by thousands
 * of subscribers or tokens is compiled once.
 */
public final class MercureSelector implements TopicPattern {
  /** How many compiled selectors the factories keep, least recently used evicted first. */
  public static final int CACHE_ENTRIES = 10_000;

  /** Longer selectors are refused, bounding the work {@link #matches} does per character. */
  public static final int MAX_SELECTOR_CHARS = 2048;

  /** How a selector's text is read. */
  public enum Kind {
    /** 0.x: exact string, or an RFC 6570 URI template when it contains {@code {}. */
    TEMPLATE,
    /** 1.0 {@code Exact}: the exact string. */
    EXACT,
    /** 1.0 {@code URLPattern}: a URL pattern. */
    URL_PATTERN
  }

  private static final Map<Key, MercureSelector> CACHE = new LinkedHashMap<>(256, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, MercureSelector> eldest) {
      return size() > CACHE_ENTRIES;
    }
  };

  private record Key(Kind kind, String text) {}

  private final Kind kind;
  private final String text;
  private final CompiledPattern compiled; // null: * or exact

  private MercureSelector(Kind kind, String text, CompiledPattern compiled) {
    this.kind = kind;
    this.text = text;
    this.compiled = compiled;
  }

  /**
   * A 0.x selector ({@code topic=} parameter, {@code mercure} claim): {@code *}, an RFC 6570 URI
   * template if it contains {@code {}, otherwise an exact topic.
   *
   * @throws IllegalArgumentException if it is empty, too long, or an invalid template (the
   *     reference hub would quietly treat an invalid template as an exact string; Herald says so)
   */
  public static MercureSelector template(String selector) {
    return of(Kind.TEMPLATE, selector);
  }

  /** A 1.0 {@code Exact} selector ({@code match=}): {@code *} or an exact topic. */
  public static MercureSelector exact(String selector) {
    return of(Kind.EXACT, selector);
  }

  /**
   * A 1.0 {@code URLPattern} selector ({@code match_urlpattern=}).
   *
   * @throws IllegalArgumentException if it is empty, too long, or uses URL Pattern syntax Herald
   *     does not support (the message says which)
   */
  public static MercureSelector urlPattern(String selector) {
    return of(Kind.URL_PATTERN, selector);
  }

  /** The selector of {@code kind} for {@code text}, compiled or from the cache. */
  public static MercureSelector of(Kind kind, String text) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
    if (text.length() > MAX_SELECTOR_CHARS) {
      throw new IllegalArgumentException(
          "topic selector " + TopicText.quote(text) + " is longer than " + MAX_SELECTOR_CHARS + " characters");
    }
    return cached(kind, text);
  }

  private static MercureSelector cached(Kind kind, String text) {
    Key key = new Key(kind, text);
    synchronized (CACHE) {
      MercureSelector cached = CACHE.get(key);
      if (cached != null) return cached;
    }
    MercureSelector compiled = compile(kind, text); // outside the lock: compiling may take a while
    synchronized (CACHE) {
      CACHE.putIfAbsent(key, compiled);
    }
    return compiled;
  }

  private static MercureSelector compile(Kind kind, String text) {
    if (text.isEmpty()) throw new IllegalArgumentException("empty topic selector");
    if (text.equals("*")) return new MercureSelector(kind, text, null);
    return switch (kind) {
      case EXACT -> new MercureSelector(kind, text, null);
      case TEMPLATE -> new MercureSelector(kind, text, text.indexOf('{') < 0 ? null : UriTemplate.compile(text));
      case URL_PATTERN -> new MercureSelector(kind, text, UrlPattern.compile(text));
    };
  }

  public Kind kind() {
    return kind;
  }

  /** The selector as written. */
  public String text() {
    return text;
  }

  /** Whether this is {@code *}, which matches every topic. */
  public boolean isWildcard() {
    return text.equals("*");
  }

  /**
   * The one topic this selector matches, if it matches exactly one: such selectors belong in
   * {@link dev.herald.server.Subscription#topics()}, a hash lookup, rather than among patterns.
   */
  public Optional<String> exactTopic() {
    return compiled == null && !isWildcard() ? Optional.of(text) : Optional.empty();
  }

  @Override
  public boolean matches(String topic) {
    if (isWildcard() || text.equals(topic)) return true;
    if (compiled == null) return false;
    return compiled.matches(kind == Kind.URL_PATTERN ? UrlText.lowerCaseOrigin(topic) : topic);
  }

  /**
   * This selector as a hub at {@code hubUrl} evaluates it. A URL pattern resolves a relative
   * pattern, and each relative topic it is matched against, with the hub's URL as the base
   * (Mercure: "when evaluating a relative pattern or a relative topic, the hub MUST use the hub's
   * URL as the base URL"), so that {@code /.well-known/mercure/subscriptions/:type/*} matches the
   * hub's own subscription events. Other kinds are returned as they are: exact matching and URI
   * templates never resolve.
   */
  public TopicPattern against(URI hubUrl) {
    Objects.requireNonNull(hubUrl, "hubUrl");
    if (kind != Kind.URL_PATTERN || isWildcard()) return this;
    MercureSelector resolved = cached(kind, UrlText.resolve(hubUrl, text)); // already checked, length allowed to grow
    return new Resolved(this, resolved, hubUrl);
  }

  /** A URL pattern bound to the hub's URL; equal to another when selector and URL are. */
  private record Resolved(MercureSelector written, MercureSelector resolved, URI hubUrl) implements TopicPattern {
    @Override
    public boolean matches(String topic) {
      return written.text.equals(topic) || resolved.matches(UrlText.resolve(hubUrl, topic));
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MercureSelector s && s.kind == kind && s.text.equals(text);
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + text.hashCode();
  }

  @Override
  public String toString() {
    return kind + "(" + text + ")";
  }
}
