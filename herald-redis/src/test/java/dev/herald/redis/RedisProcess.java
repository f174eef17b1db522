package dev.herald.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A real {@code redis-server} child process on a free loopback port, with AOF on and no RDB
 * snapshots; optionally TLS-only ({@code --port 0 --tls-port}) and with a password
 * ({@code --requirepass}). Restartable on the same port and directory. Only this process is ever
 * killed.
 */
public final class RedisProcess implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final String appendfsync;
  private final List<String> extraArgs;
  private final Tls tls;
  private final String password;
  private Process process;

  private RedisProcess(Path dir, int port, String appendfsync, List<String> extraArgs, Tls tls, String password) {
    this.dir = dir;
    this.port = port;
    this.appendfsync = appendfsync;
    this.extraArgs = extraArgs;
    this.tls = tls;
    this.password = password;
  }

  private RedisProcess(Path dir, int port, String appendfsync) {
    this(dir, port, appendfsync, List.of(), null, null);
  }

  /**
   * A server's TLS material (PEM files) and a client context that trusts its CA, for this class's
   * own readiness probe.
   */
  record Tls(Path certificate, Path privateKey, Path caCertificate, SSLContext client) {}

  /** A replica of {@code primary}, in its own directory. */
  static RedisProcess startReplicaOf(Path dir, RedisProcess primary) throws IOException {
    if (primary.tls != null) throw new UnsupportedOperationException("replicas of a TLS primary");
    List<String> args = new ArrayList<>(List.of("--replicaof", "127.0.0.1", Integer.toString(primary.port)));
    if (primary.password != null) args.addAll(List.of("--masterauth", primary.password));
    RedisProcess redis = new RedisProcess(dir, freePort(), "no", List.copyOf(args), null, primary.password);
    redis.start();
    return redis;
  }

  /**
   * Started TLS-only ({@code --port 0}, {@code --tls-port}, clients need no certificate) and, unless
   * {@code password} is null, with {@code --requirepass password}; {@code appendfsync no}.
   */
  static RedisProcess startTls(Path dir, Tls tls, String password) throws IOException {
    RedisProcess redis = new RedisProcess(dir, freePort(), "no", List.of(), tls, password);
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

  /** {@code redis://127.0.0.1:<port>}, or {@code rediss://} for TLS, with {@code :<password>@} if any. */
  public String uri() {
    String auth = password == null ? "" : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "@";
    return (tls == null ? "redis" : "rediss") + "://" + auth + "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  synchronized void start() throws IOException {
    if (process != null && process.isAlive()) throw new IllegalStateException("already running");
    List<String> command = new ArrayList<>(List.of("redis-server",
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", appendfsync,
        "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString(),
        "--repl-diskless-sync-delay", "0"));
    if (tls == null) {
      command.addAll(List.of("--port", Integer.toString(port)));
    } else {
      command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port),
          "--tls-cert-file", tls.certificate().toString(), "--tls-key-file", tls.privateKey().toString(),
          "--tls-ca-cert-file", tls.caCertificate().toString(), "--tls-auth-clients", "no"));
    }
    if (password != null) command.addAll(List.of("--requirepass", password));
    command.addAll(extraArgs);
    process = ChildProcesses.track(new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.out").toFile())
        .start());
    try {
      await("redis-server answering PING on " + port).atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20)).until(this::pong);
    } catch (RuntimeException e) {
      process.destroyForcibly(); // a server that never answered is still ours to end
      throw e;
    }
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

  /** One command on a fresh probe connection; see {@link Resp} for the reply's shape. */
  Object call(String... command) throws IOException {
    try (Resp redis = connection()) {
      return redis.call(command);
    }
  }

  /** {@code INFO <section>}, as Redis prints it. */
  String info(String section) throws IOException {
    return (String) call("INFO", section);
  }

  /** Whether this replica's link to its primary is up (its initial sync done). */
  boolean replicaInSync() {
    try {
      return info("replication").contains("master_link_status:up");
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code master} or {@code slave}, from INFO. */
  String role() throws IOException {
    return info("replication").lines().filter(l -> l.startsWith("role:")).findFirst()
        .map(l -> l.substring("role:".length())).orElseThrow();
  }

  /** A probe connection: over TLS if the server is TLS-only, authenticated if it has a password. */
  private Resp connection() throws IOException {
    Resp redis = Resp.connect(port, tls == null ? null : tls.client());
    try {
      if (password != null) redis.call("AUTH", password);
      return redis;
    } catch (IOException e) {
      redis.close();
      throw e;
    }
  }

  private boolean pong() {
    if (!process.isAlive()) throw new IllegalStateException("redis-server exited: " + process.exitValue());
    try (Resp redis = connection()) {
      return "PONG".equals(redis.call("PING"));
    } catch (IOException e) {
      return false; // not listening yet, or -LOADING
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
