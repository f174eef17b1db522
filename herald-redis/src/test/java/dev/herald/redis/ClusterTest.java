package dev.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.server.HeraldServer;
import dev.herald.testing.EventStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Three hub nodes on one Redis stream. */
class ClusterTest {
  private static final AtomicInteger STREAMS = new AtomicInteger();
  @RegisterExtension static final SharedRedis redis = new SharedRedis();
  private final Nodes nodes = new Nodes();
  private final List<EventStreamReader> subscribers = new ArrayList<>();
  private final RedisEventLog.Settings settings =
      RedisEventLog.Settings.defaults().withStreamKey("cluster:" + STREAMS.incrementAndGet());

  @AfterEach
  void close() throws Exception {
    for (EventStreamReader s : subscribers) s.close();
    nodes.close();
  }

  private EventStreamReader subscribe(EventStreamReader s) {
    subscribers.add(s);
    return s;
  }

  private static String publish(HeraldServer node, String data) throws Exception {
    return node.broker().publish("news", Event.of(data)).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static List<String> range(int from, int to) {
    List<String> data = new ArrayList<>();
    for (int i = from; i < to; i++) data.add("e" + i);
    return data;
  }

  @Test
  void aPublishOnOneNodeReachesSubscribersOnTheOthersOnceInOrder() throws Exception {
    HeraldServer a = nodes.start(redis.uri(), settings);
    HeraldServer b = nodes.start(redis.uri(), settings);
    HeraldServer c = nodes.start(redis.uri(), settings);
    EventStreamReader onB = subscribe(EventStreamReader.open(Nodes.streamUrl(b.port(), "news"), null));
    EventStreamReader onC = subscribe(EventStreamReader.open(Nodes.streamUrl(c.port(), "news"), null));
    Nodes.awaitSubscribers(b, "news", 1);
    Nodes.awaitSubscribers(c, "news", 1);

    List<String> ids = new ArrayList<>();
    for (String data : range(0, 100)) ids.add(publish(a, data));
    // A last event: once it arrived, anything duplicated before it would have arrived too.
    ids.add(publish(a, "end"));

    List<String> expected = new ArrayList<>(range(0, 100));
    expected.add("end");
    for (EventStreamReader s : List.of(onB, onC)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> s.receivedData("end"));
      assertThat(s.data()).containsExactlyElementsOf(expected);
      assertThat(s.ids()).containsExactlyElementsOf(ids);
    }
  }

  @Test
  void aSubscriberFailingOverToAnotherNodeResumesWithoutGapOrDuplicate() throws Exception {
    HeraldServer a = nodes.start(redis.uri(), settings);
    HeraldServer b = nodes.start(redis.uri(), settings);
    HeraldServer c = nodes.start(redis.uri(), settings);
    EventStreamReader onB = subscribe(EventStreamReader.open(Nodes.streamUrl(b.port(), "news"), null));
    Nodes.awaitSubscribers(b, "news", 1);

    int total = 300;
    List<String> acked = java.util.Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
      for (String data : range(0, total)) {
        try {
          acked.add(publish(a, data));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        LockSupport.parkNanos(Duration.ofMillis(2).toNanos()); // pacing, so node B dies mid-stream
      }
    });

    await().atMost(Duration.ofSeconds(30)).until(() -> onB.data().size() >= 50);
    b.close();
    onB.close();
    List<String> fromB = onB.data();
    List<EventStreamReader.Received> seenOnB = onB.received();
    String lastId = seenOnB.get(seenOnB.size() - 1).id();
    assertThat(fromB.size()).as("events before the failover").isLessThan(total);

    EventStreamReader onC = subscribe(EventStreamReader.open(Nodes.streamUrl(c.port(), "news"), lastId));
    publisher.get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).until(() -> onC.receivedData("e" + (total - 1)));

    List<String> union = new ArrayList<>(fromB);
    union.addAll(onC.data());
    assertThat(union).containsExactlyElementsOf(range(0, total));
    List<String> ids = new ArrayList<>(onB.ids());
    ids.addAll(onC.ids());
    assertThat(ids).containsExactlyElementsOf(acked);
    assertThat(onC.received()).noneMatch(e -> e.type().equals("history-cut"));
  }

  @Test
  void anIdOlderThanTheStreamKeepsGetsTheHistoryCutSignalThenTheRetainedHistory() throws Exception {
    RedisEventLog.Settings small = settings.withMaxEvents(10);
    HeraldServer a = nodes.start(redis.uri(), small);
    HeraldServer b = nodes.start(redis.uri(), small);
    List<String> ids = new ArrayList<>();
    for (String data : range(0, 300)) ids.add(publish(a, data));

    EventStreamReader late = subscribe(EventStreamReader.open(Nodes.streamUrl(b.port(), "news"), ids.get(0)));
    await().atMost(Duration.ofSeconds(30)).until(() -> late.receivedData("e299"));

    List<EventStreamReader.Received> events = late.received();
    assertThat(events.get(0).type()).isEqualTo("history-cut");
    assertThat(events.get(0).data()).contains("\"lastEventId\":\"" + ids.get(0) + "\"");
    List<String> retained = late.ids();
    assertThat(retained.size()).isBetween(10, 200);
    assertThat(retained).containsExactlyElementsOf(ids.subList(300 - retained.size(), 300));
    assertThat(events).hasSize(retained.size() + 1);
  }
}
