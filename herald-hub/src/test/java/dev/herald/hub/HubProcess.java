package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code herald serve} in a child JVM of its own, on the test class path, listening on a
 * loopback port it chooses itself (read back from its "Herald hub ready" line). Only this process
 * is ever signalled: {@link #kill()} is SIGKILL, {@link #close()} a SIGTERM then SIGKILL.
 */
final class HubProcess implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("Herald hub ready: https?://[^ ]+?:(\\d+)/ ");

  final String name;
  private final Process process;
  private final List<String> output = Collections.synchronizedList(new ArrayList<>());
  private final Thread reader;
  private volatile int port;

  private HubProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.reader = new Thread(this::readOutput, "hub-" + name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code herald serve --bind 127.0.0.1 --port 0 --demo=false} followed by {@code options}
   * in {@code dir}, and returns at once: call {@link #awaitReady(Duration)}.
   */
  static HubProcess start(String name, Path dir, String... options) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // Small and quick to start: three of these share a 2-core machine with the test.
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), HeraldMain.class.getName(),
        "serve", "--bind", "127.0.0.1", "--port", "0", "--demo=false"));
    command.addAll(List.of(options));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_")); // only the arguments configure it
    Process p = dev.herald.redis.ChildProcesses.track(pb.start());
    p.getOutputStream().close();
    return new HubProcess(name, p);
  }

  private void readOutput() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        output.add(line);
        Matcher m = READY.matcher(line);
        if (port == 0 && m.find()) port = Integer.parseInt(m.group(1));
      }
    } catch (IOException e) {
      // the pipe closes when the child dies
    }
  }

  /** Waits for the "Herald hub ready" line; fails with what the hub printed if it exits or is late. */
  HubProcess awaitReady(Duration timeout) {
    await("hub " + name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(50))
        .until(() -> port != 0 || !process.isAlive());
    assertThat(port).as("hub %s ready; it printed:%n%s", name, printed()).isNotZero();
    return this;
  }

  int port() {
    if (port == 0) throw new IllegalStateException("hub " + name + " is not ready");
    return port;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String printed() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  /** {@code kill -9} of this process (Process.destroyForcibly is SIGKILL on Linux); waits for it to end. */
  int kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("hub %s exits after SIGKILL", name).isTrue();
    return process.exitValue();
  }

  /** SIGTERM, then waits for the process to end, reading all it printed; its exit code. */
  int terminate(Duration timeout) throws InterruptedException {
    // Process.destroy() sends the same SIGTERM but also closes our end of the child's output, and
    // what it prints while it stops would be lost; its ProcessHandle only signals.
    assertThat(process.toHandle().destroy()).as("SIGTERM sent to hub %s", name).isTrue();
    assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).as("hub %s exits after SIGTERM", name).isTrue();
    reader.join(5_000);
    return process.exitValue();
  }

  /** SIGTERM, then SIGKILL if it has not ended within 10 s. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) return;
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    reader.join(5_000);
  }
}
