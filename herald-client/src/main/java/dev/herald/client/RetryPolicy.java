package dev.herald.client;

import java.time.Duration;
import java.util.Objects;

/**
 * When and whether an {@link EventSource} reconnects: an immutable value, so it can be shared,
 * replaced on the builder and tested without I/O. Each {@code with...} method returns a new policy.
 *
 * <p>The reconnection time starts at {@link #initialDelay()} and is replaced by the server's
 * {@code retry:} field (the server wins). The first reconnection after a healthy connection waits
 * exactly the reconnection time, as browsers do; each further consecutive failure doubles it, up to
 * {@link #maxDelay()} (or the reconnection time itself if the server asked for more), minus a random
 * part of at most {@link #jitter()} of it so that many clients do not reconnect in lock-step. A
 * connection that stayed open for {@link #resetAfter()} is healthy: the backoff starts over.
 *
 * <p>By the browser's rule every HTTP status other than 200 closes the source for good. With
 * {@link #withRetryOnHttpErrors(boolean)} a 5xx or 429 is retried instead, waiting at least as long
 * as its {@code Retry-After} header asks.
 */
public final class RetryPolicy {
  /** Default reconnection time before the server sets one: 3 s, as Chromium and undici. */
  public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(3);
  /** Default ceiling of the exponential backoff: 30 s. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);
  /** Default time a connection must stay open to reset the backoff: 60 s. */
  public static final Duration DEFAULT_RESET_AFTER = Duration.ofSeconds(60);
  /** Default jitter: a backed-off delay loses a random part of up to half of itself. */
  public static final double DEFAULT_JITTER = 0.5;
  /**
   * The longest delay ever waited (2^31-1 ms, about 24.8 days): a larger {@code retry:} or
   * {@code Retry-After} is clamped to it rather than overflowing.
   */
  public static final Duration MAX_DELAY_LIMIT = Duration.ofMillis(Integer.MAX_VALUE);

  /** The defaults: 3 s, backoff to 30 s with 50 % jitter, reset after 60 s, HTTP errors fatal. */
  public static final RetryPolicy DEFAULT = new RetryPolicy(DEFAULT_INITIAL_DELAY,
      DEFAULT_MAX_DELAY, DEFAULT_RESET_AFTER, DEFAULT_JITTER, false);

  private final Duration initialDelay;
  private final Duration maxDelay;
  private final Duration resetAfter;
  private final double jitter;
  private final boolean retryOnHttpErrors;

  private RetryPolicy(Duration initialDelay, Duration maxDelay, Duration resetAfter, double jitter,
      boolean retryOnHttpErrors) {
    this.initialDelay = nonNegative(initialDelay, "initialDelay");
    this.maxDelay = nonNegative(maxDelay, "maxDelay");
    this.resetAfter = nonNegative(resetAfter, "resetAfter");
    if (!(jitter >= 0 && jitter <= 1)) throw new IllegalArgumentException("jitter must be in [0, 1]: " + jitter);
    this.jitter = jitter;
    this.retryOnHttpErrors = retryOnHttpErrors;
  }

  private static Duration nonNegative(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) throw new IllegalArgumentException(name + " must not be negative: " + d);
    return clamp(d);
  }

  private static Duration clamp(Duration d) {
    return d.compareTo(MAX_DELAY_LIMIT) > 0 ? MAX_DELAY_LIMIT : d;
  }

  public RetryPolicy withInitialDelay(Duration initialDelay) {
    return new RetryPolicy(initialDelay, maxDelay, resetAfter, jitter, retryOnHttpErrors);
  }

  public RetryPolicy withMaxDelay(Duration maxDelay) {
    return new RetryPolicy(initialDelay, maxDelay, resetAfter, jitter, retryOnHttpErrors);
  }

  public RetryPolicy withResetAfter(Duration resetAfter) {
    return new RetryPolicy(initialDelay, maxDelay, resetAfter, jitter, retryOnHttpErrors);
  }

  /** The largest fraction of a backed-off delay removed at random, from 0 (none) to 1. */
  public RetryPolicy withJitter(double jitter) {
    return new RetryPolicy(initialDelay, maxDelay, resetAfter, jitter, retryOnHttpErrors);
  }

  /** Whether a 5xx or 429 response is retried (honouring {@code Retry-After}) instead of fatal. */
  public RetryPolicy withRetryOnHttpErrors(boolean retryOnHttpErrors) {
    return new RetryPolicy(initialDelay, maxDelay, resetAfter, jitter, retryOnHttpErrors);
  }

  public Duration initialDelay() {
    return initialDelay;
  }

  public Duration maxDelay() {
    return maxDelay;
  }

  public Duration resetAfter() {
    return resetAfter;
  }

  public double jitter() {
    return jitter;
  }

  public boolean retryOnHttpErrors() {
    return retryOnHttpErrors;
  }

  /**
   * The delay before the next connection attempt.
   *
   * @param reconnectionTime the current reconnection time: {@link #initialDelay()} or the server's
   *     latest {@code retry:}
   * @param failures consecutive failed attempts since the last healthy connection (0 for the first
   *     reconnection, which waits exactly {@code reconnectionTime})
   * @param random a number in [0, 1) choosing the jitter
   */
  public Duration nextDelay(Duration reconnectionTime, int failures, double random) {
    Duration base = nonNegative(reconnectionTime, "reconnectionTime");
    if (failures < 0) throw new IllegalArgumentException("failures must not be negative: " + failures);
    if (failures == 0 || base.isZero()) return base;
    double cap = Math.max(maxDelay.toMillis(), base.toMillis());
    double backedOff = Math.min(cap, base.toMillis() * Math.pow(2, Math.min(failures, 62)));
    double r = Math.min(Math.max(random, 0), 1);
    long millis = (long) (backedOff - backedOff * jitter * r);
    return clamp(Duration.ofMillis(Math.max(millis, 0)));
  }

  /** Whether a response with this status is retried; if not, the source closes. */
  public boolean retries(int statusCode) {
    return retryOnHttpErrors && (statusCode == 429 || (statusCode >= 500 && statusCode <= 599));
  }

  /**
   * The delay before retrying a response that {@link #retries(int)}: the backoff, or the server's
   * {@code Retry-After} when that is longer.
   *
   * @param retryAfter the parsed {@code Retry-After}, or null when absent or invalid
   */
  public Duration nextDelayAfterHttpError(Duration retryAfter, Duration reconnectionTime,
      int failures, double random) {
    Duration backoff = nextDelay(reconnectionTime, failures, random);
    if (retryAfter == null || retryAfter.isNegative()) return backoff;
    Duration asked = clamp(retryAfter);
    return asked.compareTo(backoff) > 0 ? asked : backoff;
  }

  /** Whether a connection that stayed open this long resets the backoff. */
  public boolean isHealthy(Duration connectedFor) {
    return connectedFor.compareTo(resetAfter) >= 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryPolicy p && initialDelay.equals(p.initialDelay)
        && maxDelay.equals(p.maxDelay) && resetAfter.equals(p.resetAfter) && jitter == p.jitter
        && retryOnHttpErrors == p.retryOnHttpErrors;
  }

  @Override
  public int hashCode() {
    return Objects.hash(initialDelay, maxDelay, resetAfter, jitter, retryOnHttpErrors);
  }

  @Override
  public String toString() {
    return "RetryPolicy{initialDelay=" + initialDelay + ", maxDelay=" + maxDelay + ", resetAfter="
        + resetAfter + ", jitter=" + jitter + ", retryOnHttpErrors=" + retryOnHttpErrors + '}';
  }
}
