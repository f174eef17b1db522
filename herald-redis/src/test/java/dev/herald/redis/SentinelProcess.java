package dev.herald.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Redis Sentinel ({@code redis-server <conf> --sentinel}) child process on a free loopback
 * port, monitoring one primary with quick failure detection: down after 1 s, failover timeout 5 s.
 * Its config file lives in its own directory (Sentinel rewrites it). Only this process is killed.
 */
final class SentinelProcess implements AutoCloseable {
  static final Duration DOWN_AFTER = Duration.ofSeconds(1);
  static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(5);

  private final String masterId;
  private final int port;
  private Process process;

  private SentinelProcess(String masterId, int port) {
    this.masterId = masterId;
    this.port = port;
  }

  /**
   * Starts a sentinel in {@code dir} monitoring {@code primary} as {@code masterId} with the given
   * quorum, and waits until it answers PING.
   */
  static SentinelProcess start(Path dir, String masterId, RedisProcess primary, int quorum) throws IOException {
    SentinelProcess sentinel = new SentinelProcess(masterId, RedisProcess.freePort());
    Path conf = Files.writeString(dir.resolve("sentinel.conf"), String.join("\n",
        "port " + sentinel.port,
        "bind 127.0.0.1",
        "dir " + dir,
        "logfile " + dir.resolve("sentinel.log"),
        "sentinel monitor " + masterId + " 127.0.0.1 " + primary.port() + " " + quorum,
        "sentinel down-after-milliseconds " + masterId + " " + DOWN_AFTER.toMillis(),
        "sentinel failover-timeout " + masterId + " " + FAILOVER_TIMEOUT.toMillis(),
        ""));
    sentinel.process = ChildProcesses.track(new ProcessBuilder("redis-server", conf.toString(), "--sentinel")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("sentinel.out").toFile())
        .start());
    try {
      await("sentinel answering PING on " + sentinel.port).atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20)).until(sentinel::pong);
    } catch (RuntimeException e) {
      sentinel.process.destroyForcibly(); // a sentinel that never answered is still ours to end
      throw e;
    }
    return sentinel;
  }

  /** {@code redis-sentinel://127.0.0.1:<port>[,127.0.0.1:<port>...]#<masterId>}. */
  static String uri(List<SentinelProcess> sentinels) {
    return "redis-sentinel://" + sentinels.stream().map(s -> "127.0.0.1:" + s.port).collect(Collectors.joining(","))
        + "#" + sentinels.get(0).masterId;
  }

  int port() {
    return port;
  }

  /** The port of the primary this sentinel names now ({@code SENTINEL get-master-addr-by-name}). */
  int primaryPort() throws IOException {
    try (Resp sentinel = Resp.connect(port)) {
      List<?> address = (List<?>) sentinel.call("SENTINEL", "get-master-addr-by-name", masterId);
      return Integer.parseInt((String) address.get(1));
    }
  }

  /** Starts a failover now, without agreement from other sentinels ({@code SENTINEL FAILOVER}). */
  void failover() throws IOException {
    try (Resp sentinel = Resp.connect(port)) {
      sentinel.call("SENTINEL", "FAILOVER", masterId);
    }
  }

  /** Replicas this sentinel knows of the primary and considers up. */
  int replicasUp() throws IOException {
    return up(call("SENTINEL", "replicas", masterId));
  }

  /** Other sentinels this one discovered and considers up. */
  int otherSentinelsUp() throws IOException {
    return up(call("SENTINEL", "sentinels", masterId));
  }

  private List<?> call(String... command) throws IOException {
    try (Resp sentinel = Resp.connect(port)) {
      return (List<?>) sentinel.call(command);
    }
  }

  /** Instances ({@code [name, value, ...]} lists) whose flags say neither down nor disconnected. */
  private static int up(List<?> instances) {
    int n = 0;
    for (Object instance : instances) {
      List<?> fields = (List<?>) instance;
      String flags = (String) fields.get(fields.indexOf("flags") + 1);
      if (!flags.contains("down") && !flags.contains("disconnected")) n++;
    }
    return n;
  }

  private boolean pong() {
    if (!process.isAlive()) throw new IllegalStateException("sentinel exited: " + process.exitValue());
    try (Resp sentinel = Resp.connect(port)) {
      return "PONG".equals(sentinel.call("PING"));
    } catch (IOException e) {
      return false;
    }
  }

  /** Kills the process with SIGKILL and waits for it to end. */
  @Override
  public synchronized void close() {
    if (process == null) return;
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) throw new IllegalStateException("sentinel did not die");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the sentinel to die", e);
    }
    process = null;
  }
}
