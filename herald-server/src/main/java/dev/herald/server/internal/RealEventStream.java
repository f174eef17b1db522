package dev.herald.server.internal;

import dev.herald.protocol.Event;
import dev.herald.server.EventStream;
import dev.herald.server.StreamRequest;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A per-request stream: sends hop to the connection's event loop, keeping the caller's order. */
final class RealEventStream implements EventStream {
  private final SseConnection connection;

  RealEventStream(SseConnection connection) {
    this.connection = connection;
  }

  @Override
  public CompletionStage<Void> send(Event event) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ChannelPromise promise = connection.channel.newPromise();
    promise.addListener(f -> {
      if (f.isSuccess()) {
        done.complete(null);
      } else {
        done.completeExceptionally(f.cause());
      }
    });
    if (connection.channel.eventLoop().inEventLoop()) {
      connection.writeEvent(event, promise);
    } else {
      connection.channel.eventLoop().execute(() -> connection.writeEvent(event, promise));
    }
    return done;
  }

  @Override
  public void complete() {
    if (connection.channel.eventLoop().inEventLoop()) {
      connection.end(null);
    } else {
      connection.channel.eventLoop().execute(() -> connection.end(null));
    }
  }

  @Override
  public boolean isOpen() {
    return connection.channel.isActive() && !connection.isClosed();
  }

  @Override
  public void onClose(Runnable callback) {
    connection.channel.eventLoop().execute(() -> connection.onClose(callback));
  }

  @Override
  public StreamRequest request() {
    return connection.request;
  }
}
