package dev.herald.sqlite;

import dev.herald.protocol.Event;
import dev.herald.server.StoredEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the writer thread is asked to do, in queue order. */
sealed interface WriteTask {
  /** Completes the task with {@code cause}, if it has a caller waiting. */
  void fail(Throwable cause);

  /** Append one event; {@code result} completes once it is durable and went to the tail. */
  record Append(List<String> topics, Event event, boolean privateUpdate, CompletableFuture<StoredEvent> result)
      implements WriteTask {
    @Override
    public void fail(Throwable cause) {
      result.completeExceptionally(cause);
    }
  }

  /** Run the age retention now (with the batch it arrives in); {@code done} completes after the commit. */
  record Retain(CompletableFuture<Void> done) implements WriteTask {
    @Override
    public void fail(Throwable cause) {
      done.completeExceptionally(cause);
    }
  }

  /** The last task: write what came before it, then stop. */
  record Stop() implements WriteTask {
    @Override
    public void fail(Throwable cause) {}
  }
}
