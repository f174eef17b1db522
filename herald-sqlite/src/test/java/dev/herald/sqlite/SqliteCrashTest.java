package dev.herald.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.protocol.Event;
import dev.herald.server.EventLog;
import dev.herald.server.StoredEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A publish acknowledged by the log survives the hub being killed: a child JVM appends and reports
 * each acknowledgement, is killed with {@link Process#destroyForcibly()} (SIGKILL on Linux, as
 * {@code kill -9}: no shutdown hook, no close, no flush), and the log reopened on its directory
 * holds every acknowledged event, once, at the position acknowledged, in order.
 */
@Timeout(180)
class SqliteCrashTest {
  private static final Pattern ACK = Pattern.compile("ack (\\S+) (\\d+) \\.");
  private static final int MIN_ACKS = 500;

  @TempDir Path tmp;

  record Ack(String id, long position) {}

  @Test
  void everyAcknowledgedEventSurvivesKillMinusNine() throws Exception {
    Path data = tmp.resolve("data");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        CrashWriterMain.class.getName(), data.toString())
        .redirectError(tmp.resolve("child-stderr.txt").toFile())
        .start();
    List<Ack> acks = Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> readAcks(child, acks), "crash-test-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      await().atMost(Duration.ofSeconds(90)).until(() -> acks.size() >= MIN_ACKS || !child.isAlive());
      assertThat(child.isAlive()).as("the writer must still run; stderr: %s", stderr()).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
    reader.join(TimeUnit.SECONDS.toMillis(30)); // acks still in the pipe count: they were printed
    List<Ack> acknowledged = List.copyOf(acks);

    try (SqliteEventLog log = SqliteEventLog.open(data, 10_000_000, Duration.ofDays(1))) {
      List<StoredEvent> all = log.readAfter(EventLog.EARLIEST).toCompletableFuture().get(30, TimeUnit.SECONDS).events();
      Map<String, StoredEvent> byId = new HashMap<>();
      for (StoredEvent e : all) assertThat(byId.put(e.id(), e)).as("id %s twice", e.id()).isNull();

      assertThat(new HashSet<>(acknowledged)).hasSameSizeAs(acknowledged);
      for (Ack a : acknowledged) {
        assertThat(byId).as("acknowledged %s", a.id()).containsKey(a.id());
        assertThat(byId.get(a.id()).position()).isEqualTo(a.position());
      }
      assertThat(acknowledged).extracting(Ack::position).isSorted().doesNotHaveDuplicates();
      assertThat(all).extracting(StoredEvent::position).isSorted().doesNotHaveDuplicates();

      // Resume from the first acknowledged id: the rest come back in acknowledgement order.
      List<String> resumed = log.readAfter(acknowledged.get(0).id()).toCompletableFuture()
          .get(30, TimeUnit.SECONDS).events().stream().map(StoredEvent::id).toList();
      List<String> ackedAfterFirst = acknowledged.subList(1, acknowledged.size()).stream().map(Ack::id).toList();
      assertThat(resumed.stream().filter(new HashSet<>(ackedAfterFirst)::contains).toList())
          .containsExactlyElementsOf(ackedAfterFirst);

      // The log goes on where it stopped.
      StoredEvent next = log.append(List.of("crash/after"), Event.of("after"), false).toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      assertThat(next.position()).isEqualTo(all.get(all.size() - 1).position() + 1);

      Files.writeString(Path.of("target", "store-crash-evidence.txt"), "acknowledged=" + acknowledged.size()
          + " found=" + acknowledged.stream().filter(a -> byId.containsKey(a.id())).count()
          + " inLog=" + all.size() + " lastAckedPosition=" + acknowledged.get(acknowledged.size() - 1).position()
          + " lastPositionInLog=" + all.get(all.size() - 1).position() + " exit=" + child.exitValue() + "\n");
    }
  }

  private static void readAcks(Process child, List<Ack> acks) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        Matcher m = ACK.matcher(line);
        if (m.matches()) acks.add(new Ack(m.group(1), Long.parseLong(m.group(2))));
      }
    } catch (IOException e) {
      // The pipe closes when the child dies.
    }
  }

  private String stderr() throws IOException {
    Path f = tmp.resolve("child-stderr.txt");
    return Files.exists(f) ? Files.readString(f) : "";
  }
}
