package dev.herald.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.protocol.Event;
import dev.herald.server.StoredEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PendingAppendsTest {
  private final PendingAppends pending = new PendingAppends(Duration.ofSeconds(5));

  private static StoredEvent event(String id) {
    return StoredEvent.of(id, StreamIds.position(id), List.of("t"), Event.of("x"), StreamIds.millis(id), false);
  }

  private static CompletableFuture<StoredEvent> f(java.util.concurrent.CompletionStage<StoredEvent> s) {
    return s.toCompletableFuture();
  }

  @Test
  void theReplyBeforeTheTailCompletesWhenTheTailDelivers() {
    CompletableFuture<StoredEvent> append = f(pending.accepted("5-0"));
    assertThat(append).isNotDone();
    pending.delivered("5-0", event("5-0"));
    pending.passed(StreamIds.position("5-0"));
    assertThat(append.join().id()).isEqualTo("5-0");
    assertThat(pending.size()).isZero();
  }

  @Test
  void theTailBeforeTheReplyCompletesAtOnce() {
    pending.delivered("5-0", event("5-0"));
    pending.passed(StreamIds.position("5-0"));
    assertThat(f(pending.accepted("5-0")).join().id()).isEqualTo("5-0");
    assertThat(pending.size()).isZero();
  }

  @Test
  void anIdTheTailWentPastWithoutDeliveringFailsAsTrimmed() {
    pending.delivered("9-0", event("9-0"));
    pending.passed(StreamIds.position("9-0"));
    assertThatThrownBy(() -> f(pending.accepted("5-0")).join()).cause()
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("trimmed it before this node read it");
  }

  @Test
  void aWaitingAppendTheTailPassesFailsAsTrimmed() {
    CompletableFuture<StoredEvent> append = f(pending.accepted("5-0"));
    pending.delivered("9-0", event("9-0"));
    pending.passed(StreamIds.position("9-0"));
    assertThatThrownBy(append::join).cause().hasMessageContaining("trimmed");
  }

  @Test
  void positionsFollowStreamOrder() {
    assertThat(StreamIds.position("1-1")).isGreaterThan(StreamIds.position("1-0"));
    assertThat(StreamIds.position("2-0")).isGreaterThan(StreamIds.position("1-" + StreamIds.MAX_SEQ));
    assertThat(StreamIds.isStreamId("1700000000000-0")).isTrue();
    for (String bad : List.of("", "-", "1-", "-1", "a-1", "1-a", "1", "1-2-3", "earliest")) {
      assertThat(StreamIds.isStreamId(bad)).as(bad).isFalse();
    }
    assertThatThrownBy(() -> StreamIds.position("1-" + (StreamIds.MAX_SEQ + 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
