package dev.herald.hub.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the Mercure rights out of verified claims, in every shape the Mercure world writes them:
 *
 * <pre>
 * 0.x       {"mercure": {"publish": ["..."], "subscribe": ["..."], "payload": ...}}
 * 1.0 hub   {"mercure": {"publish": [{"match": "...", "match_type": "urlpattern"}], ...}}
 * 1.0       {"authorization_details": [{"type": "https://mercure.rocks/authorization-detail",
 *             "actions": ["publish", "subscribe"],
 *             "topics": [{"match": "...", "match_type": "exact" | "urlpattern"}], "payload": {...}}]}
 * </pre>
 *
 * <p>As in the reference hub, a non-empty {@code authorization_details} wins and the {@code
 * mercure} claim is then ignored. Any malformed grant rejects the whole token: acting on the
 * entries that did parse would silently change what the token allows. What the specification
 * leaves open for future versions is ignored rather than refused: details of another {@code type},
 * and actions other than {@code publish} and {@code subscribe}.
 */
final class MercureClaims {
  static final int MAX_DETAILS = 100;
  static final int MAX_SELECTORS = 1000;

  static final Set<String> DETAIL_TYPES = Set.copyOf(Authorizer.AUTHORIZATION_DETAIL_TYPES);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<MercureSelector> publish = new ArrayList<>();
  private final List<MercureSelector> subscribe = new ArrayList<>();
  private final List<Authorization.Payload> payloads = new ArrayList<>();
  private int selectors;

  private MercureClaims() {}

  /** Whether {@code claims} carry 1.0 {@code authorization_details} (which make an access token). */
  static boolean hasAuthorizationDetails(JWTClaimsSet claims) {
    Object details = claims.getClaim("authorization_details");
    return details != null && !(details instanceof List<?> list && list.isEmpty());
  }

  static Authorization read(JWTClaimsSet claims) {
    MercureClaims reader = new MercureClaims();
    if (hasAuthorizationDetails(claims)) {
      reader.readDetails(claims.getClaim("authorization_details"));
    } else if (claims.getClaim("mercure") != null) {
      reader.readLegacy(claims.getClaim("mercure"));
    }
    return new Authorization(
        dedupe(reader.publish),
        dedupe(reader.subscribe),
        reader.payloads,
        Optional.ofNullable(claims.getSubject()),
        Optional.ofNullable(claims.getExpirationTime()).map(d -> d.toInstant()));
  }

  private void readLegacy(Object claim) {
    if (!(claim instanceof Map<?, ?> mercure)) throw invalid("the mercure claim must be an object");
    publish.addAll(legacySelectors(mercure.get("publish"), "mercure.publish", false));
    subscribe.addAll(legacySelectors(mercure.get("subscribe"), "mercure.subscribe", true));
    if (mercure.containsKey("payload")) {
      // After the per-matcher payloads: the first match wins, so this is the fallback.
      payloads.add(new Authorization.Payload(List.of(MercureSelector.template("*")), json(mercure.get("payload"))));
    }
  }

  /**
   * 0.x entries are strings (exact, URI template or {@code *}); the 1.0 hub writes matcher objects,
   * {@code {"match": ..., "match_type": ..., "payload": ...}}, and both may stand side by side.
   */
  private List<MercureSelector> legacySelectors(Object value, String claim, boolean subscribeGrant) {
    if (value == null) return List.of();
    if (!(value instanceof List<?> list)) throw invalid(claim + " must be an array of topic selectors");
    List<MercureSelector> out = new ArrayList<>();
    for (Object item : list) {
      if (item instanceof String s) {
        out.add(selector(MercureSelector.Kind.TEMPLATE, s, claim));
      } else if (item instanceof Map<?, ?> matcher) {
        MercureSelector selector = matcher(matcher, claim);
        out.add(selector);
        Object payload = matcher.get("payload");
        if (payload != null && subscribeGrant) payloads.add(new Authorization.Payload(List.of(selector), json(payload)));
      } else {
        throw invalid(claim + " entries must be strings or {\"match\": ...} objects");
      }
    }
    return out;
  }

  private void readDetails(Object claim) {
    if (!(claim instanceof List<?> details)) throw invalid("authorization_details must be an array");
    if (details.size() > MAX_DETAILS) throw invalid("authorization_details has more than " + MAX_DETAILS + " entries");
    for (Object entry : details) {
      if (!(entry instanceof Map<?, ?> detail)) throw invalid("authorization_details entries must be objects");
      Object type = detail.get("type");
      if (!(type instanceof String)) throw invalid("authorization_details entries need a string type");
      if (!DETAIL_TYPES.contains(type)) continue; // RFC 9396: other types are for other resource servers
      readDetail(detail);
    }
  }

  private void readDetail(Map<?, ?> detail) {
    Set<String> actions = new LinkedHashSet<>();
    if (!(detail.get("actions") instanceof List<?> list) || list.isEmpty()) {
      throw invalid("a mercure authorization detail needs a non-empty actions array");
    }
    for (Object action : list) {
      // Actions of later versions grant nothing here, and do not invalidate the token (the spec says so).
      if (!(action instanceof String a)) throw invalid("mercure actions must be strings");
      actions.add(a);
    }
    if (!(detail.get("topics") instanceof List<?> topicList) || topicList.isEmpty()) {
      throw invalid("a mercure authorization detail needs a non-empty topics array");
    }
    List<MercureSelector> topics = new ArrayList<>();
    for (Object item : topicList) {
      if (!(item instanceof Map<?, ?> matcher)) throw invalid("mercure topics entries must be objects");
      topics.add(matcher(matcher, "authorization_details"));
    }
    if (actions.contains("publish")) publish.addAll(topics);
    if (actions.contains("subscribe")) subscribe.addAll(topics);
    Object payload = detail.get("payload");
    if (payload != null) {
      if (!(payload instanceof Map)) throw invalid("a mercure payload must be a JSON object");
      if (actions.contains("subscribe")) payloads.add(new Authorization.Payload(topics, json(payload)));
    }
  }

  /**
   * A topic matcher object: {@code match}, and {@code match_type} {@code exact} (the default) or
   * {@code urlpattern}. The earlier draft-08 text spelt it {@code matchType} with {@code Exact} and
   * {@code URLPattern}; tokens minted that way keep working. An unknown type rejects the token:
   * skipping the matcher would change what the token allows.
   */
  private MercureSelector matcher(Map<?, ?> matcher, String claim) {
    if (!(matcher.get("match") instanceof String match)) throw invalid(claim + ": a topic matcher needs a string match");
    if (matcher.containsKey("match_type") && matcher.containsKey("matchType")) {
      throw invalid(claim + ": a topic matcher has match_type or matchType, not both");
    }
    MercureSelector.Kind kind;
    if (matcher.containsKey("matchType")) {
      Object type = matcher.get("matchType");
      if ("Exact".equals(type)) {
        kind = MercureSelector.Kind.EXACT;
      } else if ("URLPattern".equals(type)) {
        kind = MercureSelector.Kind.URL_PATTERN;
      } else {
        throw invalid(claim + ": matchType must be \"Exact\" or \"URLPattern\"");
      }
    } else {
      Object type = matcher.containsKey("match_type") ? matcher.get("match_type") : "exact";
      if ("exact".equals(type)) {
        kind = MercureSelector.Kind.EXACT;
      } else if ("urlpattern".equals(type)) {
        kind = MercureSelector.Kind.URL_PATTERN;
      } else {
        throw invalid(claim + ": match_type must be \"exact\" or \"urlpattern\"");
      }
    }
    return selector(kind, match, claim);
  }
  private MercureSelector selector(MercureSelector.Kind kind, String text, String claim) {
    if (++selectors > MAX_SELECTORS) throw invalid("the token grants more than " + MAX_SELECTORS + " topic selectors");
    try {
      return MercureSelector.of(kind, text);
    } catch (IllegalArgumentException e) {
      throw invalid(claim + " holds an invalid topic selector");
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw invalid("the mercure payload is not serialisable JSON");
    }
  }

  private static List<MercureSelector> dedupe(List<MercureSelector> selectors) {
    return List.copyOf(new LinkedHashSet<>(selectors));
  }

  private static AuthException invalid(String message) {
    return new AuthException("invalid claims: " + message);
  }
}
