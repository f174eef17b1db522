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
 * Reads the Mercure rights out of verified claims. Two shapes:
 *
 * <pre>
 * 0.x  {"mercure": {"publish": ["..."], "subscribe": ["..."], "payload": ...}}
 * 1.0  {"authorization_details": [{"type": "mercure", "actions": ["publish", "subscribe"],
 *        "topics": [{"match": "...", "matchType": "Exact" | "URLPattern"}], "payload": {...}}]}
 * </pre>
 *
 * <p>As in the reference hub, a non-empty {@code authorization_details} wins and the {@code
 * mercure} claim is then ignored. Any malformed grant rejects the whole token: acting on the
 * entries that did parse would silently change what the token allows.
 */
final class MercureClaims {
  static final int MAX_DETAILS = 100;
  static final int MAX_SELECTORS = 1000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<MercureSelector> publish = new ArrayList<>();
  private final List<MercureSelector> subscribe = new ArrayList<>();
  private final List<Authorization.Payload> payloads = new ArrayList<>();
  private int selectors;

  private MercureClaims() {}

  static Authorization read(JWTClaimsSet claims) {
    MercureClaims reader = new MercureClaims();
    Object details = claims.getClaim("authorization_details");
    if (details != null && !(details instanceof List<?> list && list.isEmpty())) {
      reader.readDetails(details);
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
    publish.addAll(legacySelectors(mercure.get("publish"), "mercure.publish"));
    subscribe.addAll(legacySelectors(mercure.get("subscribe"), "mercure.subscribe"));
    if (mercure.containsKey("payload")) {
      payloads.add(new Authorization.Payload(List.of(MercureSelector.template("*")), json(mercure.get("payload"))));
    }
  }

  private List<MercureSelector> legacySelectors(Object value, String claim) {
    if (value == null) return List.of();
    if (!(value instanceof List<?> list)) throw invalid(claim + " must be an array of topic selectors");
    List<MercureSelector> out = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof String s)) throw invalid(claim + " must be an array of strings");
      out.add(selector(MercureSelector.Kind.TEMPLATE, s, claim));
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
      if (!type.equals("mercure")) continue; // RFC 9396: other types are for other resource servers
      readDetail(detail);
    }
  }

  private void readDetail(Map<?, ?> detail) {
    Set<String> actions = new LinkedHashSet<>();
    if (!(detail.get("actions") instanceof List<?> list) || list.isEmpty()) {
      throw invalid("a mercure authorization detail needs a non-empty actions array");
    }
    for (Object action : list) {
      if (!"publish".equals(action) && !"subscribe".equals(action)) {
        throw invalid("mercure actions are \"publish\" and \"subscribe\"");
      }
      actions.add((String) action);
    }
    if (!(detail.get("topics") instanceof List<?> topicList) || topicList.isEmpty()) {
      throw invalid("a mercure authorization detail needs a non-empty topics array");
    }
    List<MercureSelector> topics = new ArrayList<>();
    for (Object item : topicList) {
      if (!(item instanceof Map<?, ?> matcher)) throw invalid("mercure topics entries must be objects");
      if (!(matcher.get("match") instanceof String match)) throw invalid("a mercure topic needs a string match");
      Object type = matcher.containsKey("matchType") ? matcher.get("matchType") : "Exact";
      MercureSelector.Kind kind;
      if ("Exact".equals(type)) {
        kind = MercureSelector.Kind.EXACT;
      } else if ("URLPattern".equals(type)) {
        kind = MercureSelector.Kind.URL_PATTERN;
      } else {
        throw invalid("matchType must be \"Exact\" or \"URLPattern\"");
      }
      topics.add(selector(kind, match, "authorization_details"));
    }
    if (actions.contains("publish")) publish.addAll(topics);
    if (actions.contains("subscribe")) subscribe.addAll(topics);
    Object payload = detail.get("payload");
    if (payload != null) {
      if (!(payload instanceof Map)) throw invalid("a mercure payload must be a JSON object");
      if (actions.contains("subscribe")) payloads.add(new Authorization.Payload(topics, json(payload)));
    }
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
