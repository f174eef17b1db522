package dev.herald.server.internal;

import dev.herald.protocol.Event;
import dev.herald.server.EventStream;
import dev.herald.server.StreamRequest;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A per-request stream: sends hop to the stream's event loop, keeping the caller's order. */
final class RealEventStream implements EventStream {
  private final SseStream stream;
  private final EventLoop loop;

  RealEventStream(SseStream stream) {
    this.stream = stream;
    this.loop = stream.fanout.loop;
  }

  @Override
  public CompletionStage<Void> send(Event event) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (loop.inEventLoop()) {
      stream.send(event, done);
    } else {
      loop.execute(() -> stream.send(event, done));
    }
    return done;
  }

  @Override
  public void complete() {
    if (loop.inEventLoop()) {
      stream.end(null);
    } else {
      loop.execute(() -> stream.end(null));
    }
  }

  @Override
  public boolean isOpen() {
    return stream.isOpen();
  }

  @Override
  public void onClose(Runnable callback) {
    loop.execute(() -> stream.onClose(callback));
  }

  @Override
  public StreamRequest request() {
    return stream.request;
  }
}
