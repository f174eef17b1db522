package dev.herald.hub.auth;

import dev.herald.server.TopicPattern;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The hub's authorisation in one place: finds a request's token, verifies it with the publisher's
 * or the subscriber's key, and answers the questions the HTTP layer asks.
 *
 * <ul>
 *   <li>{@code 401}: {@link AuthException} from {@code authenticate...} (no usable token where one
 *       is required: answer with {@link #challenge()}; a bad one: {@link AuthException#challenge()});
 *   <li>{@code 403}: {@link #canPublish} is false; answer with {@link #insufficientScopeChallenge}.
 * </ul>
 *
 * <p>Immutable and thread-safe; call from any thread.
 */
public final class Authorizer {
  /**
   * The {@code type}s of the {@code authorization_details} entries this hub reads (RFC 9396): the
   * reference hub's (and its documentation's) URL, and {@code mercure}, the name the draft's text
   * uses.
   */
  public static final List<String> AUTHORIZATION_DETAIL_TYPES =
      List.of("https://mercure.rocks/authorization-detail", "mercure");

  /** The {@code realm} of every challenge. */
  public static final String REALM = "herald";

  private final JwtVerifier publisherVerifier;
  private final JwtVerifier subscriberVerifier;
  private final TokenExtractor extractor;
  private final Set<String> publishOrigins;
  private final URI hubUrl; // null: relative URL patterns and topics compare as written

  private Authorizer(JwtVerifier publisherVerifier, JwtVerifier subscriberVerifier, TokenExtractor extractor,
      Set<String> publishOrigins, URI hubUrl) {
    this.publisherVerifier = Objects.requireNonNull(publisherVerifier, "publisherVerifier");
    this.subscriberVerifier = Objects.requireNonNull(subscriberVerifier, "subscriberVerifier");
    this.extractor = Objects.requireNonNull(extractor, "extractor");
    this.publishOrigins = Set.copyOf(publishOrigins);
    this.hubUrl = hubUrl;
  }

  /** One key for publishers and subscribers, default token sources. */
  public static Authorizer of(JwtVerifier verifier) {
    return of(verifier, verifier);
  }

  /**
   * Separate keys, as Mercure recommends: a leaked subscriber key then cannot mint publisher tokens.
   */
  public static Authorizer of(JwtVerifier publisherVerifier, JwtVerifier subscriberVerifier) {
    return new Authorizer(publisherVerifier, subscriberVerifier, TokenExtractor.defaults(), Set.of(), null);
  }

  /** This authoriser reading tokens with {@code extractor} (cookie names, query parameter). */
  public Authorizer withTokenExtractor(TokenExtractor extractor) {
    return new Authorizer(publisherVerifier, subscriberVerifier, extractor, publishOrigins, hubUrl);
  }

  /**
   * Origins ({@code https://app.example.com}, or {@code *}) whose pages may publish with the
   * cookie. A browser attaches cookies to cross-site POSTs, so without this check any site could
   * make a logged-in user's browser publish (CSRF). Empty by default: cookie publishing refused.
   */
  public Authorizer withPublishOrigins(Set<String> origins) {
    return new Authorizer(publisherVerifier, subscriberVerifier, extractor, origins, hubUrl);
  }

  /**
   * This authoriser for a hub at {@code hubUrl}: the URL patterns of tokens resolve relative
   * patterns and topics against it ({@link MercureSelector#against}).
   */
  public Authorizer withHubUrl(URI hubUrl) {
    return new Authorizer(publisherVerifier, subscriberVerifier, extractor, publishOrigins,
        Objects.requireNonNull(hubUrl, "hubUrl"));
  }

  public TokenExtractor tokenExtractor() {
    return extractor;
  }

  /**
   * Verifies a publish request's token with the publisher key.
   *
   * @return empty if the request presents no token (answer 401 with {@link #challenge()})
   * @throws AuthException if the token is invalid, or came in a cookie from an origin not allowed
   *     to publish
   */
  public Optional<Authorization> authenticatePublisher(Map<String, List<String>> headers,
      Map<String, List<String>> query) {
    Optional<TokenExtractor.Token> token = extractor.extract(headers, query);
    if (token.isEmpty()) return Optional.empty();
    if (token.get().source() == TokenExtractor.Source.COOKIE) checkPublishOrigin(headers);
    return Optional.of(publisherVerifier.verify(token.get().value()));
  }

  /**
   * Verifies a subscribe request's token with the subscriber key.
   *
   * @return empty if the request presents no token: an anonymous subscriber, who sees public
   *     updates only, if the hub allows them
   * @throws AuthException if a token is present but invalid
   */
  public Optional<Authorization> authenticateSubscriber(Map<String, List<String>> headers,
      Map<String, List<String>> query) {
    return extractor.extract(headers, query).map(t -> subscriberVerifier.verify(t.value()));
  }

  /**
   * Whether {@code authorization} may publish an update to {@code topics}: each topic must match
   * one of its publish selectors (an update cannot ride on one authorised topic to reach others).
   * False for no topics.
   */
  public boolean canPublish(Authorization authorization, List<String> topics) {
    if (topics.isEmpty()) return false;
    for (String topic : topics) {
      boolean covered = false;
      for (MercureSelector selector : authorization.publish()) {
        if (evaluated(selector).matches(topic)) {
          covered = true;
          break;
        }
      }
      if (!covered) return false;
    }
    return true;
  }

  /**
   * The third component of the subscriber's {@link dev.herald.server.Subscription}: a private
   * update reaches it only if one of the update's topics matches one of these.
   */
  public List<TopicPattern> privateTopics(Authorization authorization) {
    List<TopicPattern> topics = new ArrayList<>(authorization.subscribe().size());
    authorization.subscribe().forEach(s -> topics.add(evaluated(s)));
    return List.copyOf(topics);
  }

  private TopicPattern evaluated(MercureSelector selector) {
    return hubUrl == null ? selector : selector.against(hubUrl);
  }

  /** {@code WWW-Authenticate} for a 401 without a token: no error code (RFC 6750 section 3.1). */
  public static String challenge() {
    return "Bearer realm=\"" + REALM + "\"";
  }

  /**
   * {@code WWW-Authenticate} for a 401 without a token, pointing the client at the hub's
   * protected-resource metadata (RFC 9728 5.1), where it learns which token to get.
   */
  public static String challenge(String resourceMetadataUrl) {
    return challenge() + ", resource_metadata=\"" + quotable(resourceMetadataUrl) + "\"";
  }

  /** {@code WWW-Authenticate} for a 401 with an invalid token. */
  public static String invalidTokenChallenge(String description) {
    return errorChallenge("invalid_token", description);
  }

  /** {@code WWW-Authenticate} with an RFC 6750 error code and its description. */
  static String errorChallenge(String error, String description) {
    return challenge() + ", error=\"" + error + "\", error_description=\"" + quotable(description) + "\"";
  }

  /** {@code WWW-Authenticate} for a 403: a valid token that does not cover the topic. */
  public static String insufficientScopeChallenge(String description) {
    return challenge() + ", error=\"insufficient_scope\", error_description=\"" + quotable(description) + "\"";
  }

  // RFC 6750 3: error_description is %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash).
  private static String quotable(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      b.append(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' ? c : '?');
    }
    return b.toString();
  }

  private void checkPublishOrigin(Map<String, List<String>> headers) {
    String origin = first(headers, "origin");
    if (origin == null) {
      String referer = first(headers, "referer");
      if (referer == null) {
        throw new AuthException("publishing with the cookie needs an Origin or Referer header");
      }
      origin = originOf(referer);
    }
    if (!publishOrigins.contains("*") && !publishOrigins.contains(origin)) {
      throw new AuthException("this origin may not publish with the cookie");
    }
  }

  private static String originOf(String referer) {
    try {
      URI uri = new URI(referer);
      if (uri.getScheme() == null || uri.getHost() == null) throw new AuthException("unreadable Referer header");
      return uri.getScheme() + "://" + uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1);
    } catch (URISyntaxException e) {
      throw new AuthException("unreadable Referer header");
    }
  }

  private static String first(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }
}
