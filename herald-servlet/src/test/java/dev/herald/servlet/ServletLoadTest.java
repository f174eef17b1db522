package dev.herald.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.protocol.EventStreamParser;
import dev.herald.server.Broker;
import dev.herald.server.InMemoryEventLog;
import dev.herald.servlet.containers.ServletContainer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hundreds of streams on raw sockets that read the chunked framing strictly, while several threads
 * publish at once and some clients hang up mid-stream and resume with Last-Event-ID: every stream
 * gets every event exactly once, in the log's order, in well-formed chunks. This is the MVC
 * starter's load (bench/spring scenarios a and f) in miniature, on each container.
 *
 * <p>The races it guards against need a request thread preempted within a few instructions: on
 * the code before issue 17's fixes it failed on Tomcat when the JVM had one core ({@code taskset -c
 * 1 mvn -o -pl herald-servlet test -Dtest=ServletLoadTest}: three resuming streams closed without a
 * response head, twice in two runs), as the bench's apps have, and passed on two busy cores.
 */
class ServletLoadTest extends OnEachContainer {
  private static final int STREAMS = 300;
  private static final int PUBLISHERS = 4;
  private static final int EVENTS_PER_PUBLISHER = 750;
  private static final int EVENTS = PUBLISHERS * EVENTS_PER_PUBLISHER;
  /** One stream in this many hangs up again and again, part way through, and resumes each time. */
  private static final int HANG_UP_EVERY = 3;
  /** For everything to arrive: two cores shared with other builds, 900,000 deliveries. */
  private static final Duration DEADLINE = Duration.ofMinutes(4);

  /** One subscriber on a thread of its own, reconnecting with Last-Event-ID until it has every event. */
  private static final class Subscriber implements Runnable {
    private static final class HangUp extends RuntimeException {
      HangUp() {
        super(null, null, false, false);
      }
    }

    final int port;
    final int hangUpEvery; // events; 0: never
    final List<String> ids = new ArrayList<>(); // this thread's until done counts down
    final List<String> data = new ArrayList<>();
    final CountDownLatch done;
    final ConcurrentLinkedQueue<String> failures;
    final AtomicInteger opened;
    int connections;
    int cuts; // the server ended the stream before the subscriber had everything

    Subscriber(int port, int hangUpEvery, CountDownLatch done, ConcurrentLinkedQueue<String> failures,
        AtomicInteger opened) {
      this.port = port;
      this.hangUpEvery = hangUpEvery;
      this.done = done;
      this.failures = failures;
      this.opened = opened;
    }

    @Override
    public void run() {
      boolean reconnectedMidway = false;
      try {
        while (ids.size() < EVENTS) {
          String lastId = ids.isEmpty() ? null : ids.get(ids.size() - 1);
          int hangUpAt = hangUpEvery == 0 ? EVENTS : Math.min(EVENTS, ids.size() + hangUpEvery);
          // Halfway, every subscriber hangs up and resumes, all at about the same time (the bench's
          // scenario f): hundreds of replays start while the publishers go on.
          if (!reconnectedMidway && ids.size() < EVENTS / 2) hangUpAt = Math.min(hangUpAt, EVENTS / 2);
          int hangUpWhen = hangUpAt;
          try (ChunkedStream stream = new ChunkedStream(port)) {
            connections++;
            ChunkedStream.Head head = stream.send("/events?topic=load", lastId).readHead();
            if (head.status() != 200 || !head.chunked()) {
              failures.add("stream " + this + ": " + head);
              return;
            }
            if (connections == 1) opened.incrementAndGet();
            EventStreamParser parser = EventStreamParser.create((type, d, id) -> {
              if (!"message".equals(type)) failures.add("an event of type " + type + ": " + d);
              ids.add(id);
              data.add(d);
              if (ids.size() == hangUpWhen) throw new HangUp();
            });
            try {
              if (!stream.readBody(head, parser) || ids.size() < EVENTS) cuts++;
            } catch (HangUp h) { // mid-stream, or done
              if (ids.size() >= EVENTS / 2) reconnectedMidway = true;
              stream.hangUp();
            }
          }
        }
      } catch (ChunkedStream.FramingError e) {
        failures.add("framing, after " + ids.size() + " events: " + e.getMessage());
      } catch (IOException | RuntimeException e) {
        failures.add("after " + ids.size() + " events: " + e);
      } finally {
        done.countDown();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void everyStreamGetsEveryEventOnceInOrderInWellFormedChunksWhileOthersHangUpAndResume(ServletContainer container)
      throws Exception {
    Broker broker = Broker.builder(InMemoryEventLog.create()).heartbeatInterval(Duration.ofMinutes(5)).build();
    closeAfter.add(broker);
    closeAfter.add(container);
    container.start("/events", HeraldServlet.builder(broker).build());

    CountDownLatch done = new CountDownLatch(STREAMS);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger opened = new AtomicInteger();
    List<Subscriber> subscribers = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      // Hang-ups spread over the run, while the publishers go on and after.
      int hangUpEvery = i % HANG_UP_EVERY == 0 ? 100 + (i * 37) % 400 : 0;
      Subscriber s = new Subscriber(container.port(), hangUpEvery, done, failures, opened);
      subscribers.add(s);
      Thread t = new Thread(s, "load-subscriber-" + i);
      t.setDaemon(true);
      t.start();
    }
    await().atMost(DEADLINE).until(() -> opened.get() == STREAMS || !failures.isEmpty());
    await().atMost(DEADLINE).until(() -> broker.connectionCount() == STREAMS || !failures.isEmpty());

    List<List<CompletableFuture<String>>> published = new ArrayList<>();
    List<Thread> publishers = new ArrayList<>();
    for (int p = 0; p < PUBLISHERS; p++) {
      int publisher = p;
      List<CompletableFuture<String>> own = new ArrayList<>(); // the thread's until it ends
      published.add(own);
      Thread t = new Thread(() -> {
        for (int n = 0; n < EVENTS_PER_PUBLISHER; n++) {
          // A few publishes in flight per thread, as the bench's publishers keep.
          own.add(broker.publish("load", Event.of("p" + publisher + "-" + n)).toCompletableFuture());
          if (n >= 4) own.get(n - 4).join();
        }
      }, "load-publisher-" + p);
      publishers.add(t);
      t.start();
    }
    for (Thread t : publishers) t.join();
    List<String> order = new ArrayList<>();
    for (List<CompletableFuture<String>> own : published) {
      for (CompletableFuture<String> f : own) order.add(f.get(30, TimeUnit.SECONDS));
    }
    // The log's order: ids are #<position>.
    order.sort(Comparator.comparingLong(id -> Long.parseLong(id.substring(1))));

    assertThat(done.await(DEADLINE.toSeconds(), TimeUnit.SECONDS))
        .as("every subscriber done within %s; failures: %s", DEADLINE, failures).isTrue();
    assertThat(failures).as("framing errors and failed streams").isEmpty();
    int reconnections = 0;
    for (Subscriber s : subscribers) {
      assertThat(s.ids).as("a stream's ids (%d connections)", s.connections).isEqualTo(order);
      reconnections += s.connections - 1;
    }
    assertThat(reconnections).as("resumes").isGreaterThanOrEqualTo(STREAMS / HANG_UP_EVERY * (EVENTS / 500));
  }
}
