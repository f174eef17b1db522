package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.hub.auth.DevKeys;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code herald serve}, a child JVM on the SQLite store, is killed with SIGKILL while
 * several publishers post to it; restarted on the same data directory, it replays every publish it
 * acknowledged with a 200, exactly once, each publisher's in the order they were acknowledged.
 */
@Timeout(90)
class HubCrashRecoveryTest {
  private static final String SECRET = "crash-test-publisher-secret-0123456789abcdef";
  private static final int PUBLISHERS = 4;
  private static final int EVENTS_PER_PUBLISHER = 2_000;
  /** Acknowledged publishes after which the hub is killed: well before the publishers are done. */
  private static final int KILL_AFTER_ACKS = 400;
  /** A JVM start and a store recovery on a loaded machine (two test runs at once) took over 30 s. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  /** The log position in an id the hub assigned ({@code #62}). */
  private static long position(String id) {
    assertThat(id).startsWith("#");
    return Long.parseLong(id.substring(1));
  }

  @TempDir Path tmp;

  /** A child hub and the lines it printed. */
  static final class ChildHub {
    final Process process;
    final List<String> output = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch ready = new CountDownLatch(1);
    final int port;
    private final Thread reader;

    ChildHub(Path dataDir, int port) throws IOException {
      this.port = port;
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), HeraldMain.class.getName(),
          "serve", "--bind", "127.0.0.1", "--port", Integer.toString(port), "--data-dir", dataDir.toString(),
          "--publisher-key", SECRET, "--anonymous", "--demo=false")
          .redirectErrorStream(true);
      pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_")); // only the arguments configure it
      process = dev.herald.redis.ChildProcesses.track(pb.start());
      process.getOutputStream().close();
      reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            output.add(line);
            if (line.contains("Herald hub ready")) ready.countDown();
          }
        } catch (IOException e) {
          // the pipe closes when the child dies
        }
      }, "child-hub-output");
      reader.setDaemon(true);
      reader.start();
    }

    void awaitReady() throws InterruptedException {
      await().atMost(START_TIMEOUT).until(() -> ready.getCount() == 0 || !process.isAlive());
      assertThat(ready.getCount()).as("hub ready; it printed:%n%s", printed()).isZero();
    }

    String printed() {
      synchronized (output) {
        return String.join("\n", output);
      }
    }

    int killAndWait() throws InterruptedException {
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed hub exits").isTrue();
      reader.join(10_000);
      return process.exitValue();
    }
  }

  record Ack(int publisher, int seq, String id) {}

  @Test
  void everyAcknowledgedPublishSurvivesKillMinusNineAndIsReplayedOnceInOrder() throws Exception {
    Path data = tmp.resolve("data");
    String token = DevKeys.hs256Token(SECRET.getBytes(StandardCharsets.UTF_8), List.of("crash/{p}"), List.of(),
        Instant.now().plus(Duration.ofHours(1)));
    List<List<Ack>> acks = new ArrayList<>();
    for (int p = 0; p < PUBLISHERS; p++) acks.add(Collections.synchronizedList(new ArrayList<>()));
    AtomicInteger acked = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> publishers = new ArrayList<>();

    ChildHub first = new ChildHub(data, freePort());
    try {
      first.awaitReady();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      URI uri = URI.create("http://127.0.0.1:" + first.port + Hub.PATH);
      for (int p = 0; p < PUBLISHERS; p++) {
        int publisher = p;
        Thread t = new Thread(() -> {
          try {
            for (int seq = 0; seq < EVENTS_PER_PUBLISHER && !stop.get(); seq++) {
              HttpRequest request = HttpRequest.newBuilder(uri)
                  .timeout(Duration.ofSeconds(20))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString(HubClient.form(
                      "topic", "crash/p" + publisher, "data", "p" + publisher + "-" + seq)))
                  .build();
              HttpResponse<String> r;
              try {
                r = http.send(request, HttpResponse.BodyHandlers.ofString());
              } catch (IOException e) {
                return; // the hub is gone: this publish was never acknowledged
              }
              if (r.statusCode() != 200) return; // not acknowledged; stop this publisher's sequence
              acks.get(publisher).add(new Ack(publisher, seq, r.body().trim()));
              acked.incrementAndGet();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            finished.incrementAndGet();
          }
        }, "publisher-" + p);
        t.setDaemon(true);
        publishers.add(t);
        t.start();
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> acked.get() >= KILL_AFTER_ACKS || finished.get() > 0);
      assertThat(finished.get()).as("every publisher is still publishing when the hub is killed; hub printed:%n%s",
          first.printed()).isZero();
      // Mid-stream: every publisher has a request in flight or about to be.
      assertThat(first.killAndWait()).as("exit code of SIGKILL (128 + 9)").isEqualTo(137);
    } finally {
      first.process.destroyForcibly();
      stop.set(true);
    }
    for (Thread t : publishers) t.join(30_000);
    assertThat(finished.get()).as("publishers stopped").isEqualTo(PUBLISHERS);

    List<Ack> all = new ArrayList<>();
    acks.forEach(all::addAll);
    assertThat(all).as("acknowledged before the kill").hasSizeGreaterThanOrEqualTo(KILL_AFTER_ACKS);
    Set<String> ackedIds = new HashSet<>();
    for (Ack a : all) assertThat(ackedIds.add(a.id())).as("id %s acknowledged twice", a.id()).isTrue();
    for (List<Ack> own : acks) {
      // Ids are log positions (#62): each publisher's acknowledgements come in increasing order.
      assertThat(own).extracting(a -> position(a.id())).isSorted();
    }

    ChildHub second = new ChildHub(data, freePort());
    try {
      second.awaitReady();
      HubClient client = new HubClient(second.port);
      StringBuilder topics = new StringBuilder();
      for (int p = 0; p < PUBLISHERS; p++) topics.append("topic=crash/p").append(p).append('&');
      topics.append("topic=crash/done");
      String firstAcked = acks.get(0).get(0).id();
      try (HubClient.Stream everything = client.subscribe(topics + "&lastEventID=earliest", null);
          HubClient.Stream afterFirst = client.resume(topics.toString(), null, firstAcked)) {
        // A publish after the restart: once it arrives, the replay before it is complete.
        HttpResponse<String> done = client.publish(token, "topic", "crash/done", "data", "done");
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        String doneId = done.body().trim();
        assertThat(position(doneId)).as("positions continue after the restart")
            .isGreaterThan(all.stream().mapToLong(a -> position(a.id())).max().orElseThrow());

        List<HubClient.Stream.Received> replayed = readUntil(everything, doneId);
        checkReplay(replayed, acks, ackedIds, null);
        List<HubClient.Stream.Received> resumed = readUntil(afterFirst, doneId);
        checkReplay(resumed, acks, ackedIds, acks.get(0).get(0));
        System.out.printf("crash recovery: %d publishes acknowledged before SIGKILL, %d replayed after restart%n",
            all.size(), replayed.size());
      }
    } finally {
      second.process.destroyForcibly();
      second.process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The events of {@code stream} up to and without the one with id {@code lastId}; bounded. */
  private static List<HubClient.Stream.Received> readUntil(HubClient.Stream stream, String lastId) throws InterruptedException {
    List<HubClient.Stream.Received> events = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      long left = deadline - System.nanoTime();
      HubClient.Stream.Received e = left > 0 ? stream.events.poll(left, TimeUnit.NANOSECONDS) : null;
      assertThat(e).as("event %s within 20 s; got %s events", lastId, events.size()).isNotNull();
      if (lastId.equals(e.id())) return events;
      events.add(e);
    }
  }

  /**
   * Every acknowledged event (after {@code after}, if given) is in {@code replayed} exactly once,
   * with its data, and each publisher's come in acknowledgement order. Beside them, a publisher may
   * have at most one more: the publish in flight at the kill, committed but never answered.
   */
  private static void checkReplay(List<HubClient.Stream.Received> replayed, List<List<Ack>> acks, Set<String> ackedIds,
      Ack after) {
    Map<String, Integer> count = new HashMap<>();
    for (HubClient.Stream.Received e : replayed) count.merge(e.id(), 1, Integer::sum);
    count.forEach((id, n) -> assertThat(n).as("event %s replayed %s times", id, n).isEqualTo(1));
    assertThat(replayed).extracting(e -> position(e.id())).as("replay in log order").isSorted();
    if (after != null) {
      assertThat(count).as("the resumed-from event is not replayed").doesNotContainKey(after.id());
    }

    for (int p = 0; p < acks.size(); p++) {
      String prefix = "p" + p + "-";
      List<HubClient.Stream.Received> own = replayed.stream().filter(e -> e.data().startsWith(prefix)).toList();
      List<Ack> expected = acks.get(p).stream()
          .filter(a -> after == null || position(a.id()) > position(after.id())).toList();
      assertThat(own.size()).as("publisher %s: replayed %s, acknowledged %s", p, own.size(), expected.size())
          .isBetween(expected.size(), expected.size() + 1);
      for (int i = 0; i < expected.size(); i++) {
        Ack a = expected.get(i);
        assertThat(own.get(i).id()).as("publisher %s, acknowledgement %s", p, i).isEqualTo(a.id());
        assertThat(own.get(i).data()).isEqualTo(prefix + a.seq());
      }
      if (own.size() > expected.size()) {
        // The unanswered publish: the next in this publisher's sequence, never one already acknowledged.
        HubClient.Stream.Received extra = own.get(own.size() - 1);
        int nextSeq = acks.get(p).isEmpty() ? 0 : acks.get(p).get(acks.get(p).size() - 1).seq() + 1;
        assertThat(extra.data()).isEqualTo(prefix + nextSeq);
        assertThat(ackedIds).doesNotContain(extra.id());
      }
    }
    for (HubClient.Stream.Received e : replayed) {
      assertThat(e.data()).as("only the publishers' events").matches("p\\d+-\\d+");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
