package dev.herald.hub.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.net.URL;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JWK Set fetched from a URL and kept in memory. {@link #get} answers from the set in hand and
 * never touches the network, so tokens are verified on the event loops without waiting there:
 * the set is fetched at start, refreshed every {@link #REFRESH_INTERVAL} on a thread of its own,
 * and fetched again soon after a token names a key the set in hand does not hold (a provider's new
 * key). That token is refused (401): its client retries once the fetch has landed, a second or so.
 * Thread-safe.
 */
final class RemoteKeySet implements JWKSource<SecurityContext>, AutoCloseable {
  /** How often the set is fetched while all goes well. */
  static final Duration REFRESH_INTERVAL = Duration.ofMinutes(5);
  /** How soon a failed fetch is tried again; the last good set is used meanwhile. */
  static final Duration RETRY_INTERVAL = Duration.ofSeconds(10);
  /**
   * Least time between two fetches asked for by unknown key IDs: anyone may send a token with a
   * made-up kid, and must not make the hub hammer the provider.
   */
  static final Duration MIN_ON_DEMAND_INTERVAL = Duration.ofSeconds(10);
  /** Connect and read timeouts of a fetch: on the fetcher's thread, so they delay no request. */
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
  /** Largest set accepted, as Nimbus's default. */
  static final int MAX_SET_BYTES = 50 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(RemoteKeySet.class);

  private final URL url;
  private final ResourceRetriever retriever;
  private final ScheduledExecutorService fetcher;
  private final CountDownLatch firstAttempt = new CountDownLatch(1);
  private final AtomicBoolean onDemandQueued = new AtomicBoolean();
  private final AtomicLong lastOnDemandNanos = new AtomicLong(System.nanoTime() - MIN_ON_DEMAND_INTERVAL.toNanos());
  private volatile JWKSet keys; // null until a fetch succeeded

  private RemoteKeySet(URL url) {
    this.url = url;
    this.retriever = new DefaultResourceRetriever((int) FETCH_TIMEOUT.toMillis(), (int) FETCH_TIMEOUT.toMillis(),
        MAX_SET_BYTES);
    this.fetcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "herald-jwks");
      t.setDaemon(true); // a hub that stops must not wait for a key fetch
      return t;
    });
  }

  /**
   * Starts fetching the set at {@code url} and waits up to {@code firstFetch} for the first
   * answer, so the first tokens find it. A provider that does not answer by then does not stop the
   * hub: tokens are refused until a retry succeeds.
   */
  static RemoteKeySet start(URL url, Duration firstFetch) throws InterruptedException {
    RemoteKeySet set = new RemoteKeySet(url);
    set.fetcher.execute(set::periodicFetch);
    if (!set.firstAttempt.await(firstFetch.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn("the JWK Set at {} did not arrive within {} ms; tokens are refused until it does", url, firstFetch.toMillis());
    }
    return set;
  }

  @Override
  public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
    JWKSet set = keys;
    if (set == null) {
      fetchSoon();
      throw new KeySourceException("the JWK Set at " + url + " has not been fetched yet");
    }
    List<JWK> found = selector.select(set);
    if (found.isEmpty()) fetchSoon();
    return found;
  }

  /** Whether a set is in hand. */
  boolean loaded() {
    return keys != null;
  }

  private void fetchSoon() {
    long now = System.nanoTime();
    long last = lastOnDemandNanos.get();
    if (now - last < MIN_ON_DEMAND_INTERVAL.toNanos() || !lastOnDemandNanos.compareAndSet(last, now)) return;
    if (!onDemandQueued.compareAndSet(false, true)) return;
    try {
      fetcher.execute(() -> {
        onDemandQueued.set(false);
        fetch();
      });
    } catch (RejectedExecutionException e) {
      onDemandQueued.set(false); // closed
    }
  }

  private void periodicFetch() {
    boolean fetched = fetch();
    firstAttempt.countDown();
    try {
      Duration next = fetched ? REFRESH_INTERVAL : RETRY_INTERVAL;
      fetcher.schedule(this::periodicFetch, next.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  /** Fetches the set; on the fetcher's thread only. */
  private boolean fetch() {
    try {
      keys = JWKSet.parse(retriever.retrieveResource(url).getContent());
      return true;
    } catch (IOException | ParseException | RuntimeException e) {
      LOG.warn("cannot fetch the JWK Set at {}{}: {}", url, keys != null ? " (keeping the last one)" : "", e.getMessage());
      return false;
    }
  }

  @Override
  public void close() {
    fetcher.shutdownNow();
  }
}
