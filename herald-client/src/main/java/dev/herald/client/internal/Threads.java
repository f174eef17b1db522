package dev.herald.client.internal;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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

  static ThreadFactory factory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> daemon(prefix + n.incrementAndGet(), r);
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
   * rules, an explicit error for a missing Location), HTTP/2 when the server offers it, and no
   * request timeout (the JDK would apply it to the whole endless body, JDK-8208693).
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
      // Idle pool threads end after 30 s: a quiet process keeps no HttpClient workers.
      ExecutorService io = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
          new SynchronousQueue<>(), factory("herald-eventsource-http-"));
      CLIENT = HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(DEFAULT_CONNECT_TIMEOUT)
          .executor(io)
          .build();
    }
  }
}
