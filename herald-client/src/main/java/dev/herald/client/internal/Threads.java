package dev.herald.client.internal;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** The daemon threads and shared resources of every source, all named {@code herald-eventsource-*}. */
final class Threads {
  /** Connect timeout of the shared default HttpClient. */
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

  private Threads() {}

  static Thread daemon(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    return t;
  }

  /** One callback thread for one source; ended by {@code shutdown()} when the source closes. */
  static ExecutorService callbackThread(String name) {
    return Executors.newSingleThreadExecutor(r -> daemon(name, r));
  }

  /** The read-timeout watchdog shared by all sources: one daemon thread, short tasks only. */
  static ScheduledExecutorService watchdog() {
    return Shared.WATCHDOG;
  }

  /**
   * The HttpClient used when the caller gives none: redirects are left to the source (Fetch's
   * rules, an explicit error for a missing Location), HTTP/2 when the server offers it, no
   * request timeout (the JDK would apply it to the whole endless body, JDK-8208693), and bodies
   * parsed on its selector thread.
   */
  static HttpClient defaultHttpClient() {
    return Shared.CLIENT;
  }

  private static final class Shared {
    static final ScheduledExecutorService WATCHDOG;
    static final HttpClient CLIENT;

    static {
      ScheduledThreadPoolExecutor w =
          new ScheduledThreadPoolExecutor(1, r -> daemon("herald-eventsource-watchdog", r));
      w.setRemoveOnCancelPolicy(true); // cancelled watchdogs of closed connections free at once
      WATCHDOG = w;
      // A direct executor: the body is parsed on the HttpClient's selector thread, with no hand-off
      // to a worker (about a fifth more events per second on loopback). Safe because nothing on
      // that path blocks: callbacks run on each source's own thread and the pull style pauses the
      // body instead of waiting for room.
      CLIENT = HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(DEFAULT_CONNECT_TIMEOUT)
          .executor(Runnable::run)
          .build();
    }
  }
}
