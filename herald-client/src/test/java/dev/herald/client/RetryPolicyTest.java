package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The retry policy as a value: no I/O, no clock. */
class RetryPolicyTest {
  static final Duration MS_100 = Duration.ofMillis(100);

  @Test
  @DisplayName("defaults are named constants: 3 s like browsers, 30 s cap, 60 s reset, 50 % jitter")
  void defaults() {
    RetryPolicy p = RetryPolicy.DEFAULT;
    assertThat(p.initialDelay()).isEqualTo(Duration.ofSeconds(3)).isEqualTo(RetryPolicy.DEFAULT_INITIAL_DELAY);
    assertThat(p.maxDelay()).isEqualTo(RetryPolicy.DEFAULT_MAX_DELAY);
    assertThat(p.resetAfter()).isEqualTo(RetryPolicy.DEFAULT_RESET_AFTER);
    assertThat(p.jitter()).isEqualTo(RetryPolicy.DEFAULT_JITTER);
    assertThat(p.retryOnHttpErrors()).isFalse();
  }

  @Test
  @DisplayName("74: the first reconnection waits exactly the reconnection time, with no jitter")
  void firstReconnectionIsExact() {
    assertThat(RetryPolicy.DEFAULT.nextDelay(MS_100, 0, 0.99)).isEqualTo(MS_100);
    assertThat(RetryPolicy.DEFAULT.nextDelay(Duration.ZERO, 5, 0.5)).isEqualTo(Duration.ZERO);
  }

  @Test
  @DisplayName("74: consecutive failures double the delay up to the maximum")
  void backoffDoublesUpToTheMaximum() {
    RetryPolicy p = RetryPolicy.DEFAULT.withJitter(0).withMaxDelay(Duration.ofMillis(700));
    assertThat(p.nextDelay(MS_100, 1, 0.5)).isEqualTo(Duration.ofMillis(200));
    assertThat(p.nextDelay(MS_100, 2, 0.5)).isEqualTo(Duration.ofMillis(400));
    assertThat(p.nextDelay(MS_100, 3, 0.5)).isEqualTo(Duration.ofMillis(700));
    assertThat(p.nextDelay(MS_100, 1_000_000, 0.5)).isEqualTo(Duration.ofMillis(700));
  }

  @Test
  @DisplayName("74: jitter removes at most its fraction of the backed-off delay")
  void jitterBounds() {
    RetryPolicy p = RetryPolicy.DEFAULT.withJitter(0.5).withMaxDelay(Duration.ofSeconds(10));
    assertThat(p.nextDelay(MS_100, 1, 0)).isEqualTo(Duration.ofMillis(200));
    assertThat(p.nextDelay(MS_100, 1, 0.5)).isEqualTo(Duration.ofMillis(150));
    assertThat(p.nextDelay(MS_100, 1, 0.999999)).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  @DisplayName("the server's retry wins even above the maximum backoff")
  void serverRetryAboveTheMaximumIsKept() {
    RetryPolicy p = RetryPolicy.DEFAULT.withJitter(0).withMaxDelay(Duration.ofSeconds(1));
    assertThat(p.nextDelay(Duration.ofSeconds(5), 0, 0)).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.nextDelay(Duration.ofSeconds(5), 3, 0)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("30: huge delays are clamped to MAX_DELAY_LIMIT, never overflow")
  void hugeValuesAreClamped() {
    Duration huge = Duration.ofDays(365_000);
    assertThat(RetryPolicy.DEFAULT.nextDelay(huge, 0, 0)).isEqualTo(RetryPolicy.MAX_DELAY_LIMIT);
    assertThat(RetryPolicy.DEFAULT.withMaxDelay(huge).nextDelay(huge, 40, 0))
        .isEqualTo(RetryPolicy.MAX_DELAY_LIMIT);
    assertThat(RetryPolicy.DEFAULT.withInitialDelay(huge).initialDelay())
        .isEqualTo(RetryPolicy.MAX_DELAY_LIMIT);
    assertThat(RetryPolicy.DEFAULT.nextDelayAfterHttpError(huge, MS_100, 0, 0))
        .isEqualTo(RetryPolicy.MAX_DELAY_LIMIT);
  }

  @Test
  @DisplayName("74: a connection that stayed up for resetAfter is healthy")
  void healthyAfterResetPeriod() {
    RetryPolicy p = RetryPolicy.DEFAULT.withResetAfter(Duration.ofSeconds(60));
    assertThat(p.isHealthy(Duration.ofSeconds(59))).isFalse();
    assertThat(p.isHealthy(Duration.ofSeconds(60))).isTrue();
  }

  @Test
  @DisplayName("HTTP errors: fatal by default; opted in, 5xx and 429 retry and Retry-After wins")
  void httpErrorDecisions() {
    assertThat(RetryPolicy.DEFAULT.retries(503)).isFalse();
    RetryPolicy p = RetryPolicy.DEFAULT.withRetryOnHttpErrors(true).withJitter(0);
    assertThat(p.retries(500)).isTrue();
    assertThat(p.retries(599)).isTrue();
    assertThat(p.retries(429)).isTrue();
    assertThat(p.retries(404)).isFalse();
    assertThat(p.retries(204)).isFalse();
    assertThat(p.nextDelayAfterHttpError(Duration.ofSeconds(7), MS_100, 0, 0))
        .isEqualTo(Duration.ofSeconds(7));
    assertThat(p.nextDelayAfterHttpError(Duration.ofMillis(1), MS_100, 1, 0))
        .isEqualTo(Duration.ofMillis(200));
    assertThat(p.nextDelayAfterHttpError(null, MS_100, 0, 0)).isEqualTo(MS_100);
  }

  @Test
  @DisplayName("policies are immutable values: with... returns a new, equal-by-value policy")
  void immutableValues() {
    RetryPolicy a = RetryPolicy.DEFAULT.withInitialDelay(MS_100);
    assertThat(RetryPolicy.DEFAULT.initialDelay()).isEqualTo(Duration.ofSeconds(3));
    assertThat(a).isEqualTo(RetryPolicy.DEFAULT.withInitialDelay(MS_100)).isNotEqualTo(RetryPolicy.DEFAULT);
    assertThat(a.hashCode()).isEqualTo(RetryPolicy.DEFAULT.withInitialDelay(MS_100).hashCode());
    assertThat(a.toString()).contains("initialDelay=PT0.1S");
  }

  @Test
  @DisplayName("invalid arguments are rejected")
  void rejectsInvalidArguments() {
    assertThatThrownBy(() -> RetryPolicy.DEFAULT.withInitialDelay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryPolicy.DEFAULT.withJitter(1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryPolicy.DEFAULT.withJitter(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryPolicy.DEFAULT.nextDelay(MS_100, -1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
