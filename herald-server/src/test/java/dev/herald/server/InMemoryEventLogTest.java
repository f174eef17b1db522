package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.protocol.Event;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The in-memory log's ids: assigned ones and own ones never collide, and own ones may repeat. */
class InMemoryEventLogTest {
  private final InMemoryEventLog log = InMemoryEventLog.create(3, InMemoryEventLog.DEFAULT_MAX_BYTES, Duration.ofHours(1));

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private StoredEvent append(String topic, String id, String data) throws Exception {
    return get(log.append(List.of(topic), Event.builder().id(id).data(data).build(), false));
  }

  private List<String> idsAfter(String id) throws Exception {
    return get(log.readAfter(id)).events().stream().map(StoredEvent::id).toList();
  }

  @Test
  void assignedIdsAreMarkedSoADecimalOwnIdNeverMeetsOne() throws Exception {
    assertThat(get(log.append(List.of("a"), Event.of("one"), false)).id()).isEqualTo("#1");
    // Before ids carried the mark, an own id 2 either blocked the next assigned id or was refused.
    assertThat(append("a", "2", "mine").id()).isEqualTo("2");
    assertThat(get(log.append(List.of("a"), Event.of("three"), false)).id()).isEqualTo("#3");
    assertThat(idsAfter("2")).containsExactly("#3");
    assertThat(idsAfter("#1")).containsExactly("2", "#3");
  }

  @Test
  void anOwnIdMayRepeatAndAResumeReadsAfterItsOldestRetainedOccurrence() throws Exception {
    append("a", "x", "first");
    get(log.append(List.of("b"), Event.of("between"), false));
    StoredEvent again = append("c", "x", "again");
    assertThat(again.position()).isEqualTo(3);
    assertThat(idsAfter("x")).containsExactly("#2", "x");

    // The first x is evicted (three events kept): x now means its next occurrence.
    get(log.append(List.of("a"), Event.of("fourth"), false));
    assertThat(get(log.readAfter("x")).historyCut()).isFalse();
    assertThat(idsAfter("x")).containsExactly("#4");
    // Both evicted: the id is unknown, a history cut.
    get(log.append(List.of("a"), Event.of("fifth"), false));
    get(log.append(List.of("a"), Event.of("sixth"), false));
    assertThat(get(log.readAfter("x")).historyCut()).isTrue();
  }
}
