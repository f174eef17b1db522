package dev.herald.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} child process on a free loopback port, with AOF on and no RDB
 * snapshots.
 * Restartable on the same port and directory. Only this process is ever killed.
 */
public final class RedisProcess implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final String appendfsync;
  private final List<String> extraArgs;
  private Process process;

  private RedisProcess(Path dir, int port, String appendfsync, List<String> extraArgs) {
    this.dir = dir;
    this.port = port;
    this.appendfsync = appendfsync;
    this.extraArgs = extraArgs;
  }

  private RedisProcess(Path dir, int port, String appendfsync) {
    this(dir, port, appendfsync, List.of());
  }

  /** A replica of {@code primary}, in its own directory. */
  static RedisProcess startReplicaOf(Path dir, RedisProcess primary) throws IOException {
    RedisProcess redis = new RedisProcess(dir, freePort(), "no",
        List.of("--replicaof", "127.0.0.1", Integer.toString(primary.port)));
    redis.start();
    return redis;
  }

  /** Started with {@code appendfsync always}: an acknowledged write survives kill -9. */
  public static RedisProcess start(Path dir) throws IOException {
    RedisProcess redis = new RedisProcess(dir, freePort(), "always");
    redis.start();
    return redis;
  }

  /** Started with {@code appendfsync no}: faster, for tests that never kill it. */
  public static RedisProcess startFast(Path dir) throws IOException {
    RedisProcess redis = new RedisProcess(dir, freePort(), "no");
    redis.start();
    return redis;
  }

  /** A process not started yet, on a port kept for it (for tests of a hub starting before Redis). */
  static RedisProcess notStarted(Path dir) throws IOException {
    return new RedisProcess(dir, freePort(), "no");
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  synchronized void start() throws IOException {
    if (process != null && process.isAlive()) throw new IllegalStateException("already running");
    List<String> command = new java.util.ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", appendfsync,
        "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString(),
        "--repl-diskless-sync-delay", "0"));
    command.addAll(extraArgs);
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.out").toFile())
        .start();
    await("redis-server answering PING on " + port).atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20)).until(this::pong);
  }

  /** Kills the process with SIGKILL and waits for it to end. */
  synchronized void kill() throws InterruptedException {
    if (process == null) return;
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) throw new IllegalStateException("redis-server did not die");
    process = null;
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  private boolean pong() {
    if (!process.isAlive()) throw new IllegalStateException("redis-server exited: " + process.exitValue());
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] reply = in.readNBytes(7);
      return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
