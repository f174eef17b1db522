package dev.herald.redis.internal;

import dev.herald.server.StoredEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * This node's appends that Redis accepted, waiting for the node's own tail reader to deliver them:
 * an append is acknowledged only once its event went to the tail consumer. The reply to XADD and the
 * tail's read of the entry race; whichever comes second completes the append.
 */
public final class PendingAppends {
  private final Map<String, CompletableFuture<StoredEvent>> byId = new ConcurrentHashMap<>();
  private final Duration timeout;

  public PendingAppends(Duration timeout) {
    this.timeout = timeout;
  }

  /** Called with the id Redis gave an append; completes once the tail delivered it. */
  public CompletionStage<StoredEvent> accepted(String id) {
    CompletableFuture<StoredEvent> waiting = new CompletableFuture<>();
    CompletableFuture<StoredEvent>[] found = new CompletableFuture[1];
    byId.compute(id, (k, delivered) -> {
      if (delivered != null) {
        found[0] = delivered;
        return null;
      }
      return waiting;
    });
    if (found[0] != null) return found[0];
    return waiting.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .exceptionallyCompose(e -> {
          byId.remove(id, waiting);
          if (e instanceof TimeoutException) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis accepted the event as " + id
                + " but this node's stream reader did not deliver it within " + timeout.toMillis() + " ms"));
          }
          return CompletableFuture.failedFuture(e);
        });
  }

  /** Called on the tail thread once an entry this node appended went to the tail consumer. */
  public void delivered(StoredEvent event) {
    CompletableFuture<StoredEvent>[] waiting = new CompletableFuture[1];
    byId.compute(event.id(), (k, f) -> {
      if (f == null) return CompletableFuture.completedFuture(event);
      waiting[0] = f;
      return null;
    });
    if (waiting[0] != null) waiting[0].complete(event);
  }

  /** Fails every waiting append (at close). */
  public void failAll(RuntimeException e) {
    byId.values().forEach(f -> f.completeExceptionally(e));
    byId.clear();
  }

  /** Entries waiting (for tests). */
  public int size() {
    return byId.size();
  }
}
