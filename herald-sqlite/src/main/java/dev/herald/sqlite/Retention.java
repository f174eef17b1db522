package dev.herald.sqlite;

import java.time.Duration;
import java.util.Objects;

/**
 * How much history the store keeps: at most {@code maxEvents} events, none older than {@code maxAge}.
 * The oldest go first.
 */
record Retention(int maxEvents, Duration maxAge) {
  private static final Duration MAX_AGE_MILLIS = Duration.ofMillis(Long.MAX_VALUE);

  Retention {
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxEvents < 0) throw new IllegalArgumentException("maxEvents must not be negative: " + maxEvents);
    if (maxAge.isNegative()) throw new IllegalArgumentException("maxAge must not be negative: " + maxAge);
  }

  /** The oldest timestamp still retained at {@code nowMillis}: events stamped before it are gone. */
  long cutoffMillis(long nowMillis) {
    // Saturate: a maxAge of centuries must not overflow into "everything is old".
    long ageMillis = maxAge.compareTo(MAX_AGE_MILLIS) > 0 ? Long.MAX_VALUE : maxAge.toMillis();
    long cutoff = nowMillis - ageMillis;
    return cutoff > nowMillis ? Long.MIN_VALUE : cutoff;
  }
}
