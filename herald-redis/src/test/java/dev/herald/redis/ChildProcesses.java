package dev.herald.redis;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The child processes tests started (redis-server, sentinels, hubs), ended when the test JVM exits
 * even if no test got to it: a fork that exits early or is stopped by a timeout leaves none behind.
 * A JVM killed with SIGKILL runs no hook; nothing can help that.
 */
public final class ChildProcesses {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "end-child-processes"));
  }

  private ChildProcesses() {}

  /** Tracks {@code process} until it exits; returns it. */
  public static Process track(Process process) {
    LIVE.add(process);
    process.onExit().thenRun(() -> LIVE.remove(process));
    return process;
  }
}
