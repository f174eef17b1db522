package dev.herald.redis.internal;

import dev.herald.server.StoredEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * This node's appends that Redis accepted, waiting for the node's own tail reader to deliver them:
 * an append is acknowledged only once its event went to the tail consumer. The reply to XADD and the
 * tail's read of the entry race; whichever comes second completes the append.
 */
public final class PendingAppends {
  private final Map<String, CompletableFuture<StoredEvent>> byId = new ConcurrentHashMap<>();
  /** A minute of positions ({@code ms << 20}). */
  private static final long STALE_DELIVERED = 60_000L << StreamIds.SEQ_BITS;

  private final Duration timeout;
  /** The position of the last entry the tail delivered; written after {@link #delivered}. */
  private volatile long lastDeliveredPosition = -1;

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
    // Whoever removes the waiting entry completes it: the tail when it delivers (or passes) the
    // entry, here when the tail went past the id before it was registered (trimmed unread).
    if (StreamIds.position(id) <= lastDeliveredPosition && byId.remove(id, waiting)) {
      waiting.completeExceptionally(trimmedUnread(id));
    }
    return waiting.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(e -> {
          byId.remove(id, waiting);
          if (e instanceof TimeoutException) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis accepted the event as " + id
                + " but this node's stream reader did not deliver it within " + timeout.toMillis() + " ms"));
          }
          return CompletableFuture.failedFuture(e);
        });
  }

  /** Called on the tail thread once entry {@code id}, appended by this node, went to the tail consumer. */
  public void delivered(String id, StoredEvent event) {
    CompletableFuture<StoredEvent>[] waiting = new CompletableFuture[1];
    byId.compute(id, (k, f) -> {
      if (f == null) return CompletableFuture.completedFuture(event);
      waiting[0] = f;
      return null;
    });
    if (waiting[0] != null) waiting[0].complete(event);
  }

  /**
   * Called on the tail thread after each batch: appends this node is still waiting for at or before
   * {@code position} were trimmed from the stream before the tail could read them (the stream keeps
   * fewer events than the tail lags behind); they fail rather than wait for their timeout.
   */
  public void passed(long position) {
    lastDeliveredPosition = position;
    byId.forEach((id, f) -> {
      if (!f.isDone() && StreamIds.position(id) <= position && byId.remove(id, f)) {
        f.completeExceptionally(trimmedUnread(id));
      } else if (f.isDone() && position - StreamIds.position(id) > STALE_DELIVERED) {
        // Delivered, but the XADD reply never came (the connection broke): nobody will ask.
        byId.remove(id, f);
      }
    });
  }

  private static IllegalStateException trimmedUnread(String id) {
    return new IllegalStateException("Redis accepted the event as " + id
        + " but trimmed it before this node read it: raise maxEvents above what a node may lag behind");
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
