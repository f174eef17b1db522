package dev.herald.hub.auth;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a verified token allows: the selectors it may publish to and subscribe to, from either
 * claim shape (0.x {@code mercure}, 1.0 {@code authorization_details}).
 *
 * @param publish every topic of a published update must match one of these; empty means the
 *     bearer may not publish
 * @param subscribe private updates reach the bearer when one of their topics matches one of
 *     these; empty means it sees public updates only
 * @param payloads the {@code payload} objects attached to subscribe grants, in token order
 * @param subject the {@code sub} claim, which identifies the subscriber in subscription events
 * @param expiresAt the {@code exp} claim: a hub closes a subscriber's stream no later than this
 */
public record Authorization(
    List<MercureSelector> publish,
    List<MercureSelector> subscribe,
    List<Payload> payloads,
    Optional<String> subject,
    Optional<Instant> expiresAt) {
  /** No rights at all: what an anonymous subscriber has. */
  public static final Authorization NONE =
      new Authorization(List.of(), List.of(), List.of(), Optional.empty(), Optional.empty());

  public Authorization {
    publish = List.copyOf(publish);
    subscribe = List.copyOf(subscribe);
    payloads = List.copyOf(payloads);
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /**
   * A {@code payload} JSON object and the subscribe selectors it was granted with.
   *
   * @param topics the grant's selectors; a 0.x {@code mercure.payload} applies to {@code *}
   * @param json the payload, serialised as JSON
   */
  public record Payload(List<MercureSelector> topics, String json) {
    public Payload {
      topics = List.copyOf(topics);
      Objects.requireNonNull(json, "json");
    }
  }

  /**
   * The payload for a subscription made with {@code subscriptionSelector}: that of the first
   * grant one of whose selectors matches the subscription's own selector text as if it were a
   * topic (Mercure 1.0's rule; {@code *} grants serve as a default).
   */
  public Optional<String> payloadFor(String subscriptionSelector) {
    for (Payload p : payloads) {
      for (MercureSelector s : p.topics()) {
        if (s.matches(subscriptionSelector)) return Optional.of(p.json());
      }
    }
    return Optional.empty();
  }
}
